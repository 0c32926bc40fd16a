"""Real MCP clients against the ToolServer's Streamable HTTP transport (`--transport http`), on a
free loopback port, with a bearer token: the official Python SDK's streamable HTTP client lists
and calls every tool with schema checks as over stdio; the OpenAI Agents SDK's
MCPServerStreamableHttp lists the tools and calls two."""
from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time

import anyio
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from conftest import TOOL_NAMES
from test_python_sdk import check_schema, run, structured

TOKEN = "pytest-http-token-0123456789abcdef"


class HTTPToolServer:
    """A ToolServer on --port 0; the port comes from its `http.listening` log line. Its stderr is
    drained on a thread so that logging never blocks it."""

    def __init__(self, database, token: str = TOKEN):
        env = dict(os.environ, TOOLSERVER_TOKEN=token)
        self.process = subprocess.Popen(
            [database.binary, "--transport", "http", "--port", "0", *database.server_args, "--log-level", "info"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.log: list[str] = []
        self.port: int | None = None
        listening = threading.Event()

        def drain():
            for raw in self.process.stderr:
                line = raw.decode(errors="replace")
                self.log.append(line)
                match = re.search(r"event=http\.listening host=\S+ port=(\d+)", line)
                if match:
                    self.port = int(match.group(1))
                    listening.set()
            listening.set()

        threading.Thread(target=drain, daemon=True).start()
        if not listening.wait(60) or self.port is None:
            self.stop()
            pytest.fail("the HTTP ToolServer did not start: " + "".join(self.log[-20:]))
        self.url = f"http://127.0.0.1:{self.port}/mcp"

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        status = self.process.wait(timeout=30)
        assert self.process.stdout.read() == b"", "the HTTP server wrote to stdout"
        return status


@pytest.fixture
def http_server(database):
    server = HTTPToolServer(database)
    yield server
    assert server.stop() == 0, "".join(server.log[-20:])


def test_python_sdk_streamable_http_lists_validates_and_calls_every_tool(database, http_server):
    async def scenario():
        client = create_mcp_http_client(headers={"Authorization": f"Bearer {TOKEN}"})
        async with client, streamable_http_client(http_server.url, http_client=client) as (read, write), \
                ClientSession(read, write) as session:
            init = await session.initialize()
            assert init.protocol_version == "2025-11-25"
            assert init.server_info.name == "order-tools"

            listed = (await session.list_tools()).tools
            assert {tool.name for tool in listed} == TOOL_NAMES
            inputs, outputs = {}, {}
            for tool in listed:
                inputs[tool.name] = check_schema(tool.input_schema, f"{tool.name}.inputSchema")
                assert tool.output_schema is not None, f"{tool.name} has no outputSchema"
                outputs[tool.name] = check_schema(tool.output_schema, f"{tool.name}.outputSchema")
                assert tool.title and tool.description and tool.annotations is not None

            calls = []

            async def call(name: str, arguments: dict) -> dict:
                inputs[name].validate(arguments)
                content = structured(await session.call_tool(name, arguments), name)
                errors = list(outputs[name].iter_errors(content))
                assert not errors, f"{name} structuredContent fails its outputSchema: {errors[0].message}"
                calls.append(name)
                return content

            assert (await call("check_stock", {"product_id": "prod1"}))["stock"] == 10
            assert (await call("update_stock", {"product_id": "prod3", "delta": 5, "reason": "restock"}))["stock"] == 35
            order = await call("create_order", {
                "items": [{"product_id": "prod1", "quantity": 2}, {"product_id": "prod2", "quantity": 1}],
                "delivery_address": "123 HTTP St", "idempotency_key": "http-sdk-1"})
            assert order["status"] == "pending" and order["total"] == 2599.97
            shipped = await call("update_delivery_status", {"order_id": order["order_id"], "status": "in_transit"})
            assert shipped["status"] == "in_transit"
            assert (await call("get_order", {"order_id": order["order_id"]}))["status"] == "in_transit"
            assert (await call("list_orders", {"limit": 5}))["count"] == 1
            products = await call("list_products", {"low_stock_below": 20})
            assert {p["product_id"] for p in products["products"]} == {"prod1", "prod2", "prod4"}
            assert set(calls) == TOOL_NAMES

            refused = await session.call_tool("create_order", {
                "items": [{"product_id": "prod1", "quantity": 1000}], "delivery_address": "123 HTTP St"})
            assert refused.is_error and "insufficient stock" in refused.content[0].text

    run(scenario)
    assert database.stock("prod1") == 8 and database.stock("prod2") == 14


def test_without_the_token_the_sdk_gets_401_and_nothing_changes(database, http_server):
    async def scenario():
        async with httpx2.AsyncClient(timeout=30) as client:
            response = await client.post(http_server.url, json={
                "jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": {"name": "update_stock", "arguments": {"product_id": "prod1", "delta": -5}}},
                headers={"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-11-25"})
            assert response.status_code == 401
            assert response.headers["www-authenticate"] == "Bearer"
            assert response.json()["error"]["code"] == -32000

    run(scenario)
    assert database.stock("prod1") == 10


def test_openai_agents_sdk_streamable_http_lists_and_calls_tools(database, http_server):
    from agents.mcp import MCPServerStreamableHttp

    async def scenario():
        server = MCPServerStreamableHttp(
            params={"url": http_server.url, "headers": {"Authorization": f"Bearer {TOKEN}"}, "timeout": 30},
            name="order-tools-http", client_session_timeout_seconds=30)
        async with server:
            tools = await server.list_tools()
            assert {tool.name for tool in tools} == TOOL_NAMES
            stock = await server.call_tool("check_stock", {"product_id": "prod5"})
            assert not stock.is_error and stock.structured_content["stock"] == 25
            assert json.loads(stock.content[0].text) == stock.structured_content
            placed = await server.call_tool("create_order", {
                "items": [{"product_id": "prod5", "quantity": 4}], "delivery_address": "9 Agents Avenue"})
            assert not placed.is_error, placed.content[0].text
            return placed.structured_content["order_id"]

    order_id = run(scenario)
    assert database.db.orders.find_one({"_id": order_id})["status"] == "pending"
    assert database.stock("prod5") == 21
