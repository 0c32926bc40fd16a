"""Shared set-up for the external-client tests: the real ToolServer binary over stdio, against the
MongoDB the Swift suite uses, each test on a freshly seeded database of its own that it drops.

Environment (scripts/test.sh sets both):
  TOOLSERVER_BIN     the ToolServer executable to spawn
  TEST_MONGODB_URI   the MongoDB (or stand-in) connection string
"""
from __future__ import annotations

import os
import subprocess
import uuid

import pymongo
import pytest
from mcp import StdioServerParameters

TOOL_NAMES = {
    "check_stock", "update_stock", "create_order", "update_delivery_status",
    "get_order", "list_orders", "list_products",
}


def _required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set; run the client tests through scripts/test.sh", pytrace=False)
    return value


@pytest.fixture(scope="session")
def toolserver_bin() -> str:
    path = _required_env("TOOLSERVER_BIN")
    if not os.access(path, os.X_OK):
        pytest.fail(f"TOOLSERVER_BIN={path} is not an executable", pytrace=False)
    return path


@pytest.fixture(scope="session")
def mongodb_uri() -> str:
    return _required_env("TEST_MONGODB_URI")


@pytest.fixture(scope="session")
def mongo(mongodb_uri: str):
    client = pymongo.MongoClient(mongodb_uri, serverSelectionTimeoutMS=5000)
    yield client
    client.close()


class SeededDatabase:
    def __init__(self, name: str, uri: str, binary: str, client: pymongo.MongoClient):
        self.name = name
        self.uri = uri
        self.binary = binary
        self.db = client[name]

    @property
    def server_args(self) -> list[str]:
        return ["--mongodb-uri", self.uri, "--database", self.name, "--log-level", "warning"]

    def params(self, *extra: str) -> StdioServerParameters:
        """How an MCP client spawns the ToolServer on this database."""
        return StdioServerParameters(command=self.binary, args=[*self.server_args, *extra])

    def stock(self, product_id: str) -> int:
        return int(self.db.products.find_one({"_id": product_id})["stock"])


@pytest.fixture
def database(request, toolserver_bin: str, mongodb_uri: str, mongo) -> SeededDatabase:
    """A fresh database with the demo catalogue (prod1 Laptop 10 … prod5 Keyboard 25), dropped after."""
    name = f"clients_{request.node.name[:30]}_{uuid.uuid4().hex[:8]}".replace("[", "_").replace("]", "_")
    subprocess.run([toolserver_bin, "seed", "--demo", "--mongodb-uri", mongodb_uri, "--database", name,
                    "--log-level", "warning"], check=True, timeout=60, capture_output=True)
    seeded = SeededDatabase(name, mongodb_uri, toolserver_bin, mongo)
    try:
        yield seeded
    finally:
        mongo.drop_database(name)
