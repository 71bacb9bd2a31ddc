"""Hand-written operations, one module per product; see declare.py for how they are declared.

Importing this package imports no product module: the server reads declared.json.
"""

from .declare import operations

__all__ = ["operations"]
