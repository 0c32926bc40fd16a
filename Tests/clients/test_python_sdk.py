"""The official Python MCP SDK (mcp 2.3.0) against the real ToolServer binary over stdio."""
from __future__ import annotations

import json
from contextlib import asynccontextmanager

import anyio
import jsonschema
import pytest
from jsonschema import Draft202012Validator
from mcp import ClientSession
from mcp.client import Client
from mcp.client.stdio import stdio_client

from conftest import TOOL_NAMES


def run(coroutine_function, *args):
    async def guarded():
        with anyio.fail_after(90):
            return await coroutine_function(*args)
    return anyio.run(guarded)


def check_schema(schema: dict, where: str) -> Draft202012Validator:
    """MCP 2025-11-25: schemas without $schema are JSON Schema 2020-12."""
    assert isinstance(schema, dict) and schema.get("type") == "object", f"{where} must be an object schema"
    try:
        Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as error:
        pytest.fail(f"{where} is not a valid JSON Schema: {error.message}")
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def structured(result, tool: str) -> dict:
    """The structuredContent of a successful result, checked against its own text block."""
    text = "".join(block.text for block in result.content if block.type == "text")
    assert not result.is_error, f"{tool} failed: {text}"
    assert result.structured_content is not None, f"{tool} returned no structuredContent"
    assert json.loads(text) == result.structured_content, f"{tool}: text block differs from structuredContent"
    return result.structured_content


def test_client_session_lists_validates_and_calls_every_tool(database):
    async def scenario():
        async with stdio_client(database.params()) as (read, write), ClientSession(read, write) as session:
            init = await session.initialize()
            assert init.protocol_version == "2025-11-25"
            assert init.server_info.name == "order-tools"
            assert init.capabilities.tools is not None

            listed = (await session.list_tools()).tools
            assert {tool.name for tool in listed} == TOOL_NAMES
            output_validators = {}
            input_validators = {}
            for tool in listed:
                input_validators[tool.name] = check_schema(tool.input_schema, f"{tool.name}.inputSchema")
                assert tool.output_schema is not None, f"{tool.name} has no outputSchema"
                output_validators[tool.name] = check_schema(tool.output_schema, f"{tool.name}.outputSchema")
                assert tool.title and tool.description and tool.annotations is not None

            calls = []

            async def call(name: str, arguments: dict) -> dict:
                input_validators[name].validate(arguments)  # the test's own arguments follow the schema
                content = structured(await session.call_tool(name, arguments), name)
                errors = sorted(output_validators[name].iter_errors(content), key=lambda e: list(e.path))
                assert not errors, f"{name} structuredContent fails its outputSchema: " + "; ".join(
                    f"{list(e.path)}: {e.message}" for e in errors)
                calls.append(name)
                return content

            stock = await call("check_stock", {"product_id": "prod1"})
            assert stock["stock"] == 10 and stock["name"] == "Laptop"

            adjusted = await call("update_stock", {"product_id": "prod3", "delta": 5, "reason": "restock"})
            assert adjusted["previous_stock"] == 30 and adjusted["stock"] == 35

            order = await call("create_order", {
                "items": [{"product_id": "prod1", "quantity": 2}, {"product_id": "prod2", "quantity": 1}],
                "delivery_address": "123 Main St", "idempotency_key": "python-sdk-1"})
            assert order["status"] == "pending" and order["replayed"] is False
            assert order["total"] == 2599.97

            shipped = await call("update_delivery_status",
                                 {"order_id": order["order_id"], "status": "in_transit", "note": "handed to carrier"})
            assert shipped["previous_status"] == "pending" and shipped["status"] == "in_transit"

            fetched = await call("get_order", {"order_id": order["order_id"]})
            assert fetched["status"] == "in_transit" and len(fetched["history"]) == 2

            listed_orders = await call("list_orders", {"limit": 5})
            assert listed_orders["count"] == 1 and listed_orders["orders"][0]["order_id"] == order["order_id"]

            products = await call("list_products", {"low_stock_below": 20})
            assert {p["product_id"] for p in products["products"]} == {"prod1", "prod2", "prod4"}

            assert set(calls) == TOOL_NAMES

            # A mistake is a tool result the model can read, not a protocol error.
            refused = await session.call_tool("create_order", {
                "items": [{"product_id": "prod1", "quantity": 1000}], "delivery_address": "123 Main St"})
            assert refused.is_error
            assert "insufficient stock" in refused.content[0].text

    run(scenario)
    assert database.stock("prod1") == 8 and database.stock("prod2") == 14


class RecordingWriteStream:
    """Forwards to the transport's write stream and remembers every message sent."""

    def __init__(self, inner, log: list):
        self._inner = inner
        self._log = log

    async def send(self, message):
        self._log.append(("sent", message.message.model_dump(by_alias=True, exclude_none=True)))
        await self._inner.send(message)

    async def aclose(self):
        await self._inner.aclose()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.aclose()

    def __getattr__(self, name):
        return getattr(self._inner, name)


class RecordingReadStream:
    def __init__(self, inner, log: list):
        self._inner = inner
        self._log = log

    async def receive(self):
        message = await self._inner.receive()
        if not isinstance(message, Exception):
            self._log.append(("received", message.message.model_dump(by_alias=True, exclude_none=True)))
        return message

    def __aiter__(self):
        return self

    async def __anext__(self):
        try:
            return await self.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            raise StopAsyncIteration

    async def aclose(self):
        await self._inner.aclose()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.aclose()

    def __getattr__(self, name):
        return getattr(self._inner, name)


@asynccontextmanager
async def recorded_stdio(params, log: list):
    async with stdio_client(params) as (read, write):
        yield RecordingReadStream(read, log), RecordingWriteStream(write, log)


def test_default_client_probes_server_discover_then_falls_back(database):
    """mcp.client.Client (mode 'auto') first sends the 2026-07-28 draft's server/discover; the
    server answers -32601 and the client falls back to initialize, then works normally."""
    log: list = []

    async def scenario():
        async with Client(recorded_stdio(database.params(), log)) as client:
            assert client.protocol_version == "2025-11-25"
            assert client.server_info.name == "order-tools"
            names = {tool.name for tool in (await client.list_tools()).tools}
            assert names == TOOL_NAMES
            result = await client.call_tool("check_stock", {"product_id": "prod4"})
            assert structured(result, "check_stock")["stock"] == 8

    run(scenario)
    sent = [message for direction, message in log if direction == "sent"]
    received = [message for direction, message in log if direction == "received"]
    assert sent[0]["method"] == "server/discover", sent[0]
    discover_reply = next(m for m in received if m.get("id") == sent[0]["id"])
    assert discover_reply["error"]["code"] == -32601, discover_reply
    assert sent[1]["method"] == "initialize"
    assert sent[2]["method"] == "notifications/initialized"
