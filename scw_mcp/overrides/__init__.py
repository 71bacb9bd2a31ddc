"""Hand-written operations (one module per product); see registry.py for how they are declared."""

from .registry import OVERRIDE_MODULES, OverrideTool, catalog_entries, load_overrides, override

__all__ = ["OVERRIDE_MODULES", "OverrideTool", "catalog_entries", "load_overrides", "override"]
