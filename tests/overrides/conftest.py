"""One sandbox (fake API, no S3) per end-to-end module of the overrides: module scope, so each
module's sessions share it and can look at its requests and state."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scw_mcp.sandbox import Sandbox


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(s3=False) as sandbox:
        yield sandbox
