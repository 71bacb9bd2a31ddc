"""Which values are secrets, and how previews and questions show arguments without them."""

from __future__ import annotations

import re
from typing import Any

_SECRET_NAME = re.compile(r"password|passphrase|secret|private_key|token", re.IGNORECASE)
HIDDEN = "(hidden)"


def is_secret_name(name: str) -> bool:
    """An argument whose value is a secret (password, secret_key...); ids (secret_id) are not."""
    return bool(_SECRET_NAME.search(name)) and not name.endswith(("_id", "_ids"))


def shown(value: Any) -> Any:
    """Arguments as a preview or a question may show them: secret-named values hidden, at any depth."""
    if isinstance(value, dict):
        return {
            k: HIDDEN if isinstance(k, str) and is_secret_name(k) and v is not None else shown(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [shown(v) for v in value]
    return value
