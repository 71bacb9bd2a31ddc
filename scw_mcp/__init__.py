"""scw-mcp: the whole Scaleway cloud as MCP tools, generated from the official SDK."""

__version__ = "0.1.0"
