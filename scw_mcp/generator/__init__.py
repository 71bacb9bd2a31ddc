"""Build-time generator: introspect -> model -> render -> postprocess -> write.

Never imported by the runtime server.
"""
