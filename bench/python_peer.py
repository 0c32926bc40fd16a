"""The Python peer for the benchmark: check_stock and create_order written the way a Python user
would, with the official MCP SDK's high-level server (mcp 2.x, where FastMCP is named MCPServer)
and pymongo, on the same database and documents as the ToolServer.

Same semantics where it matters: stock is reserved with an atomic conditional decrement
(`stock >= quantity`), so it never goes negative; a multi-line order that fails on a later line
puts back what it took on earlier lines (rollback), so an order reserves all its lines or none.
Not replicated: idempotency keys, the crash-recovery protocol, transactions.

    python bench/python_peer.py --mongodb-uri URI --database NAME [--http-port PORT]

With --http-port it serves MCP's Streamable HTTP at http://127.0.0.1:PORT/mcp, stateless with JSON
answers (the SDK's options for the same mode as the ToolServer's --transport http); else stdio.
"""
from __future__ import annotations

import argparse
import secrets
import string
from datetime import datetime, timezone
from typing import Annotated

import pymongo
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

ID = Annotated[str, Field(pattern=r"^[A-Za-z0-9._:-]{1,64}$")]

parser = argparse.ArgumentParser()
parser.add_argument("--mongodb-uri", default="mongodb://127.0.0.1:27017/?retryWrites=false")
parser.add_argument("--database", default="warehouse")
parser.add_argument("--http-port", type=int)
args = parser.parse_args()

db = pymongo.MongoClient(args.mongodb_uri)[args.database]
products = db.products
orders = db.orders

server = MCPServer("order-tools-python", log_level="WARNING")


class Stock(BaseModel):
    product_id: str
    name: str
    price: float
    currency: str
    stock: int


class LineIn(BaseModel):
    product_id: ID
    quantity: Annotated[int, Field(ge=1, le=100_000)]


class LineOut(BaseModel):
    product_id: str
    name: str
    quantity: int
    unit_price: float
    line_total: float


class HistoryEntry(BaseModel):
    status: str
    at: str


class OrderOut(BaseModel):
    order_id: str
    status: str
    items: list[LineOut]
    total: float
    currency: str
    delivery_address: str
    created_at: str
    updated_at: str
    history: list[HistoryEntry]
    replayed: bool


def money(minor: int) -> float:
    return round(minor / 100, 2)


def iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


@server.tool(title="Check stock")
def check_stock(product_id: ID) -> Stock:
    """Look up one product: its name, unit price and how many units are in stock."""
    product = products.find_one({"_id": product_id})
    if product is None:
        raise ToolError(f"product not found: '{product_id}'. Use list_products to see the catalogue's product ids.")
    return Stock(product_id=product["_id"], name=product["name"], price=money(product["price_minor"]),
                 currency="USD", stock=product["stock"])


@server.tool(title="Create order")
def create_order(items: Annotated[list[LineIn], Field(min_length=1, max_length=100)],
                 delivery_address: Annotated[str, Field(min_length=1, max_length=500)]) -> OrderOut:
    """Create an order and reserve the stock of all its lines or none."""
    if len({line.product_id for line in items}) != len(items):
        raise ToolError("invalid arguments: each product may appear in one line only. Nothing was changed.")
    now = datetime.now(timezone.utc)
    taken: list[tuple[LineIn, dict]] = []
    for line in items:
        before = products.find_one_and_update(
            {"_id": line.product_id, "stock": {"$gte": line.quantity}},
            {"$inc": {"stock": -line.quantity}, "$set": {"updated_at": now}})
        if before is None:
            for done, _ in taken:  # roll back the lines already reserved
                products.update_one({"_id": done.product_id}, {"$inc": {"stock": done.quantity}})
            current = products.find_one({"_id": line.product_id})
            if current is None:
                raise ToolError(f"product(s) not found: '{line.product_id}'. Nothing was reserved and no order was created.")
            raise ToolError(f"insufficient stock: '{line.product_id}' ({current['name']}): requested {line.quantity}, "
                            f"available {current['stock']}. Nothing was reserved and no order was created.")
        taken.append((line, before))
    order_id = "ord_" + "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(20))
    lines = [{"product_id": line.product_id, "name": p["name"], "quantity": line.quantity,
              "unit_price_minor": p["price_minor"]} for line, p in taken]
    total = sum(l["quantity"] * l["unit_price_minor"] for l in lines)
    orders.insert_one({"_id": order_id, "status": "pending", "lines": lines, "total_minor": total,
                       "delivery_address": delivery_address, "created_at": now, "updated_at": now,
                       "history": [{"status": "pending", "at": now}]})
    stamp = iso(now)
    return OrderOut(
        order_id=order_id, status="pending",
        items=[LineOut(product_id=l["product_id"], name=l["name"], quantity=l["quantity"],
                       unit_price=money(l["unit_price_minor"]), line_total=money(l["quantity"] * l["unit_price_minor"]))
               for l in lines],
        total=money(total), currency="USD", delivery_address=delivery_address, created_at=stamp, updated_at=stamp,
        history=[HistoryEntry(status="pending", at=stamp)], replayed=False)


if __name__ == "__main__":
    if args.http_port:
        server.run("streamable-http", host="127.0.0.1", port=args.http_port, stateless_http=True, json_response=True)
    else:
        server.run()
