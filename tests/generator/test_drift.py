"""`scw-mcp-gen --check` passes on the committed tree and fails, with a diff, after an edit.

The generator runs once for the whole module (it takes seconds): every test reuses its output.
"""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from scw_mcp.generator import cli
from scw_mcp.generator.config import GeneratorConfig
from scw_mcp.generator.write import drift, write
from tests.conftest import ROOT

GENERATED = ROOT / "scw_mcp" / "generated"


@pytest.fixture(scope="module")
def fresh_files():
    return cli.generate(GeneratorConfig())


def test_committed_tree_matches_the_installed_sdk_byte_for_byte(fresh_files):
    """The committed files came from an earlier run: equal means reproducible too."""
    diff = drift(fresh_files, GENERATED)
    assert not diff, f"generated/ is out of date; run scw-mcp-gen\n{diff[:4000]}"
    contents = {f.path: f.content for f in fresh_files}
    assert all("DO NOT EDIT" in contents[name].splitlines()[0] for name in ("instance.py", "object_storage.py"))
    assert "scaleway 2.12.0" in contents["instance.py"].splitlines()[0]
    assert "botocore 1.44.8" in contents["object_storage.py"].splitlines()[0]  # the pin in pyproject.toml
    assert not any("2026-" in c.splitlines()[0] for c in contents.values())  # no timestamp


def test_check_fails_with_a_diff_and_the_fix_after_a_hand_edit(fresh_files, tmp_path, monkeypatch):
    copy = tmp_path / "generated"
    shutil.copytree(GENERATED, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / "instance.py"
    target.write_text(target.read_text().replace('"""List all Instances."""', '"""Edited by hand."""'))
    monkeypatch.setattr(cli, "generate", lambda config: fresh_files)  # the CLI as run, without regenerating
    result = CliRunner().invoke(cli.main, ["--check", "--out", str(copy)])
    assert result.exit_code == 1
    assert '-    """Edited by hand."""' in result.stdout
    assert '+    """List all Instances."""' in result.stdout
    assert "Fix it with: scw-mcp-gen" in result.stderr
    assert "Edited by hand" in target.read_text()  # --check wrote nothing


def test_write_touches_only_what_changed(fresh_files, tmp_path):
    write(fresh_files, tmp_path)
    assert not drift(fresh_files, tmp_path)
    assert write(fresh_files, tmp_path) == []


def test_check_covers_the_object_storage_module(fresh_files, tmp_path):
    write(fresh_files, tmp_path)
    target = tmp_path / "object_storage.py"
    target.write_text(target.read_text().replace("Bucket=bucket,", "Bucket=bucket.lower(),", 1))
    diff = drift(fresh_files, tmp_path)
    assert "-        Bucket=bucket.lower()," in diff and "+        Bucket=bucket," in diff
