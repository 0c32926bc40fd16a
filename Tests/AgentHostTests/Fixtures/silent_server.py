"""An MCP server that completes the handshake and lists one tool, then never answers a call."""
import json
import sys

for line in sys.stdin:
    message = json.loads(line)
    if "id" not in message:
        continue
    if message["method"] == "initialize":
        result = {"protocolVersion": "2025-11-25", "capabilities": {"tools": {}}, "serverInfo": {"name": "silent", "version": "1"}}
    elif message["method"] == "tools/list":
        result = {"tools": [{"name": "check_stock", "description": "d", "inputSchema": {"type": "object"}}]}
    else:
        continue  # tools/call: never answered
    sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}) + "\n")
    sys.stdout.flush()
