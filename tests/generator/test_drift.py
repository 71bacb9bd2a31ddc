"""`scw-mcp-gen --check` passes on the committed tree and fails, with a diff, after an edit."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from scw_mcp.generator.cli import generate
from scw_mcp.generator.config import GeneratorConfig
from scw_mcp.generator.write import drift, write
from tests.conftest import ROOT

GENERATED = ROOT / "scw_mcp" / "generated"


@pytest.fixture(scope="module")
def fresh_files():
    return generate(GeneratorConfig())


def test_committed_tree_matches_the_installed_sdk(fresh_files):
    diff = drift(fresh_files, GENERATED)
    assert not diff, f"generated/ is out of date; run scw-mcp-gen\n{diff[:4000]}"


def test_generation_is_byte_for_byte_reproducible(fresh_files, tmp_path):
    write(fresh_files, tmp_path / "a")
    again = generate(GeneratorConfig())
    assert [(f.path, f.content) for f in again] == [(f.path, f.content) for f in fresh_files]
    assert not drift(again, tmp_path / "a")
    header = (tmp_path / "a" / "instance.py").read_text().splitlines()[0]
    assert "DO NOT EDIT" in header and "scaleway 2.12.0" in header
    header = (tmp_path / "a" / "object_storage.py").read_text().splitlines()[0]
    assert "DO NOT EDIT" in header and "botocore 1.44.8" in header  # the pin in pyproject.toml


def test_check_fails_with_a_diff_after_a_hand_edit(tmp_path):
    copy = tmp_path / "generated"
    shutil.copytree(GENERATED, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / "instance.py"
    target.write_text(target.read_text().replace('"""List all Instances."""', '"""Edited by hand."""'))
    result = subprocess.run(
        [sys.executable, "-m", "scw_mcp.generator.cli", "--check", "--out", str(copy)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    assert "-    \"\"\"Edited by hand.\"\"\"" in result.stdout
    assert "+    \"\"\"List all Instances.\"\"\"" in result.stdout
    assert "Fix it with: scw-mcp-gen" in result.stderr
    # --check wrote nothing
    assert "Edited by hand" in target.read_text()


def test_check_covers_the_object_storage_module(fresh_files, tmp_path):
    write(fresh_files, tmp_path)
    target = tmp_path / "object_storage.py"
    target.write_text(target.read_text().replace("Bucket=bucket,", "Bucket=bucket.lower(),", 1))
    diff = drift(fresh_files, tmp_path)
    assert "-        Bucket=bucket.lower()," in diff and "+        Bucket=bucket," in diff
