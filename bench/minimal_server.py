"""Reference floor for start-up: the smallest MCPServer (one tool) on the same mcp SDK.

Spawn -> initialize -> tools/list for this is what importing `mcp` and starting Python cost;
no server built on this SDK can start faster.
"""

from mcp.server.mcpserver import MCPServer

server = MCPServer(name="minimal")


@server.tool()
def ping() -> str:
    """Answer pong."""
    return "pong"


if __name__ == "__main__":
    server.run("stdio")
