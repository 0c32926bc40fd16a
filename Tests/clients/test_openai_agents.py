"""The OpenAI Agents SDK's MCPServerStdio with a static tool filter against the real ToolServer
binary over stdio. No model: list_tools and call_tool are driven directly."""
from __future__ import annotations

import json

import anyio
from agents.mcp import MCPServerStdio, MCPUtil, create_static_tool_filter

ALLOWED = ["check_stock", "create_order", "list_products"]


def test_static_filter_lists_the_allowed_tools_and_call_tool_works(database):
    async def scenario():
        server = MCPServerStdio(
            params={"command": database.binary, "args": database.server_args},
            name="order-tools",
            tool_filter=create_static_tool_filter(allowed_tool_names=ALLOWED, blocked_tool_names=["list_products"]),
            client_session_timeout_seconds=30,
        )
        async with server:
            tools = await server.list_tools()
            assert sorted(tool.name for tool in tools) == ["check_stock", "create_order"]

            # They convert to Agents SDK function tools with strict schemas, as an Agent would use them.
            for tool in tools:
                function_tool = MCPUtil.to_function_tool(tool, server, convert_schemas_to_strict=True)
                assert function_tool.name == tool.name
                assert function_tool.params_json_schema["type"] == "object"

            result = await server.call_tool("check_stock", {"product_id": "prod5"})
            assert not result.is_error
            assert result.structured_content["stock"] == 25
            assert json.loads(result.content[0].text) == result.structured_content

            placed = await server.call_tool("create_order", {
                "items": [{"product_id": "prod5", "quantity": 4}], "delivery_address": "9 Agents Avenue"})
            assert not placed.is_error, placed.content[0].text
            return placed.structured_content["order_id"]

    async def guarded():
        with anyio.fail_after(90):
            return await scenario()

    order_id = anyio.run(guarded)
    assert database.db.orders.find_one({"_id": order_id})["status"] == "pending"
    assert database.stock("prod5") == 21
