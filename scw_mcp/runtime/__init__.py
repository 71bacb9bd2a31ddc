"""What generated and hand-written tools call at run time.

Never imports scw_mcp.generator, jinja2 or libcst.
"""
