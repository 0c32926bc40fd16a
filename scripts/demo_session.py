#!/usr/bin/env python3
"""Drives the ToolServer through a short MCP session over stdio, as any MCP client would, and
prints what happens: the tools, the stock, two orders (the demo's), their shipment, the stock after.

    scripts/demo_session.py PATH/TO/ToolServer [ToolServer args...]

Standard library only. Each request waits for its response (matched by id) before the next."""
import json, subprocess, sys

server = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
next_id = 0

def request(method, params=None):
    global next_id
    next_id += 1
    message = {"jsonrpc": "2.0", "id": next_id, "method": method}
    if params is not None:
        message["params"] = params
    server.stdin.write(json.dumps(message) + "\n")
    server.stdin.flush()
    while True:
        line = server.stdout.readline()
        if not line:
            sys.exit("ToolServer closed its output unexpectedly (see its log above)")
        reply = json.loads(line)
        if reply.get("id") == next_id:
            if "error" in reply:
                sys.exit(f"{method} failed: {reply['error']}")
            return reply["result"]

def call(tool, **arguments):
    result = request("tools/call", {"name": tool, "arguments": arguments})
    if result.get("isError"):
        print(f"  ✗ {tool}: {result['content'][0]['text']}")
        return None
    return result["structuredContent"]

def show_stock(title):
    print(title)
    for product in call("list_products")["products"]:
        print(f"  {product['product_id']:<7} {product['name']:<12} {product['price']:>8.2f} USD   stock {product['stock']}")

init = request("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                              "clientInfo": {"name": "demo-session", "version": "1"}})
server.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")
print(f"connected to {init['serverInfo']['name']} {init['serverInfo']['version']} (MCP {init['protocolVersion']})")
tools = request("tools/list")["tools"]
print("tools: " + ", ".join(tool["name"] for tool in tools))
show_stock("stock before:")

orders = []
for items, address in [([("prod1", 2), ("prod2", 1)], "123 Main St"), ([("prod3", 3)], "456 Elm St")]:
    order = call("create_order", items=[{"product_id": p, "quantity": q} for p, q in items], delivery_address=address)
    if order:
        lines = ", ".join(f"{line['quantity']}× {line['name']}" for line in order["items"])
        print(f"  ✓ created {order['order_id']}: {lines} → {address}, total {order['total']:.2f} USD")
        orders.append(order["order_id"])

print("a request the tools refuse (more laptops than in stock):")
call("create_order", items=[{"product_id": "prod1", "quantity": 1000}], delivery_address="789 Oak Ave")

for order_id in orders:
    shipped = call("update_delivery_status", order_id=order_id, status="in_transit", note="handed to carrier")
    if shipped:
        print(f"  ✓ {order_id}: {shipped['previous_status']} → {shipped['status']}")
show_stock("stock after:")
server.stdin.close()
sys.exit(server.wait())
