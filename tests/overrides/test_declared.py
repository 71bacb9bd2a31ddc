"""declared.json (the hand-written tools' entries, read at start-up) matches their declarations,
and a stale file says what to run; hand-written tools stand in for their operations."""

from __future__ import annotations

import subprocess
import sys

from scw_mcp.overrides import declare
from scw_mcp.runtime.catalog import load_catalog
from scw_mcp.server import served_catalog
from tests.conftest import ROOT


def test_declared_json_is_up_to_date():
    proc = subprocess.run(
        [sys.executable, "-m", "scw_mcp.overrides", "--check"],
        capture_output=True,
        text=True,
        cwd=str(ROOT),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1000:]


def test_a_stale_file_names_its_own_cause_and_fix(tmp_path, monkeypatch):
    """Editing a docstring trips this check (not scw-mcp-gen's, which covers the SDK only)."""
    from scw_mcp.overrides import __main__ as cli
    from scw_mcp.overrides import instance

    monkeypatch.setattr(instance.instance_list_servers, "__doc__", "List Instances, differently.")
    assert cli.main(["--check"]) == 1


def test_hand_written_tools_take_every_argument_of_the_operation_they_replace():
    sdk = load_catalog()
    for op in served_catalog().entries.values():
        if not op.handwritten:
            continue
        twin = sdk.get(op.name)
        assert op.replaces == ((op.name,) if twin else ()), op.name
        if twin is not None:
            missing = set(twin.schema.get("properties", {})) - set(op.schema.get("properties", {}))
            assert not missing, f"{op.name} does not take {missing}"
        for performed in op.performs:
            assert performed in sdk or performed == op.name, (op.name, performed)


def test_declarations_are_checked(monkeypatch):
    import pytest

    from scw_mcp.overrides.declare import Declaration, DeclarationError, entry

    async def vpc_delete_vpc(ctx, vpc_id: str, region: str | None = None):
        """Delete a VPC."""

    bad = Declaration(vpc_delete_vpc, "destructive", ("vpc_delete_vpc",), "region", None, "", "", ())
    with pytest.raises(DeclarationError, match="declare a preview"):
        entry(bad, load_catalog())
    sneaky = Declaration(vpc_delete_vpc, "read", ("vpc_delete_vpc",), "region", None, "", "", ())
    with pytest.raises(DeclarationError, match="declared read but performs vpc_delete_vpc"):
        entry(sneaky, load_catalog())
    assert declare.MODULES
