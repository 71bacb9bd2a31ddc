"""The README's two set-up commands stay true: CI runs the same test command."""

import re

from tests.conftest import ROOT


def _setup_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", readme, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_readme_starts_with_exactly_two_setup_commands():
    commands = _setup_commands()
    assert len(commands) == 2
    assert commands[0] == "pip install -e '.[sandbox]' && scw-mcp --sandbox demo"
    assert commands[1] == "pip install -e '.[test]' && python -m pytest"


def test_ci_runs_the_readme_test_command_and_the_drift_check():
    ci = (ROOT / ".ci" / "run").read_text()
    assert _setup_commands()[1] in ci
    assert "scw-mcp-gen --check" in ci
    assert '"$rc" -eq 5' in ci  # "no tests collected" fails CI
