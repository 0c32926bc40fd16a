"""smolagents' MCPClient (structured_output=True) against the real ToolServer binary over stdio.
No model: the tools are loaded as smolagents tools and called directly."""
from __future__ import annotations

from smolagents import MCPClient, Tool

from conftest import TOOL_NAMES


def test_tools_load_and_create_order_creates_an_order(database):
    with MCPClient(database.params(), structured_output=True) as tools:
        assert all(isinstance(tool, Tool) for tool in tools)
        by_name = {tool.name: tool for tool in tools}
        assert set(by_name) == TOOL_NAMES
        create_order = by_name["create_order"]
        assert set(create_order.inputs) == {"items", "delivery_address", "idempotency_key"}
        assert create_order.output_type == "object"
        assert create_order.output_schema is not None

        order = create_order(items=[{"product_id": "prod4", "quantity": 3}], delivery_address="1 Smol Road")
        assert isinstance(order, dict), f"expected the structured result, got {order!r}"
        assert order["status"] == "pending" and order["replayed"] is False
        assert order["items"] == [{"product_id": "prod4", "name": "Monitor", "quantity": 3,
                                   "unit_price": order["items"][0]["unit_price"],
                                   "line_total": order["items"][0]["line_total"]}]

        stock = by_name["check_stock"](product_id="prod4")
        assert stock["stock"] == 5

    stored = database.db.orders.find_one({"_id": order["order_id"]})
    assert stored is not None and stored["status"] == "pending"
    assert stored["delivery_address"] == "1 Smol Road"
    assert database.stock("prod4") == 5
