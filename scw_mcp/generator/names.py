"""Naming rules for operations (see docs/design.md, "Operations and names")."""

from __future__ import annotations

import hashlib
import keyword
import re

_STABILITY = {"": 2, "beta": 1, "alpha": 0}
_VERSION_RE = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")
# CamelCase acronyms that the SDK's snake_case conversion split: ListIPs -> list_i_ps.
_ACRONYM_RE = re.compile(r"(?:(?<=_)|^)([a-z]{1,2})_([a-z])s(?=_|$)")
_IPV6_RE = re.compile(r"(?:(?<=_)|^)i_pv6(?=_|$)")
_CLASS_SUFFIX_RE = re.compile(r"API$")


def version_key(version: str) -> tuple[int, int, int]:
    """Sort key: most stable first (GA > beta > alpha), then newest."""
    match = _VERSION_RE.match(version)
    if not match:
        return (-1, 0, 0)
    major, stage, minor = match.groups()
    return (_STABILITY[stage or ""], int(major), int(minor or 0))


def default_versions(versions_by_product: dict[str, set[str]], overrides: dict[str, str]) -> dict[str, str]:
    return {
        product: overrides.get(product) or max(versions, key=version_key)
        for product, versions in versions_by_product.items()
    }


def namespace(product: str, version: str, default_version: str) -> str:
    return product if version == default_version else f"{product}_{version}"


def repair_acronyms(method: str) -> str:
    """list_i_ps -> list_ips, list_vp_cs -> list_vpcs, create_i_pv6_block -> create_ipv6_block."""
    return _ACRONYM_RE.sub(r"\1\2s", _IPV6_RE.sub("ipv6", method))


def class_discriminator(class_name: str, product: str, version: str) -> str:
    """LbV1ZonedAPI -> zoned; InstanceUtilsV1API -> utils; MnqV1Beta1SqsAPI -> sqs."""
    stem = _CLASS_SUFFIX_RE.sub("", class_name)
    prefix = product.replace("_", "")
    lowered = stem.lower()
    if lowered.startswith(prefix):
        stem = stem[len(prefix) :]
    stem = re.sub(version, "", stem, count=1, flags=re.IGNORECASE)
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", stem).lower().strip("_")
    return snake or "api"


def fit_length(name: str, limit: int) -> str:
    """Shorten an over-long name deterministically (prefix + short hash of the full name)."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:6]
    return f"{name[: limit - 7].rstrip('_')}_{digest}"


def wire_name(sdk_name: str) -> str:
    """The SDK appends `_` to names that clash with Python (type_, from_, global_)."""
    return sdk_name[:-1] if sdk_name.endswith("_") and not sdk_name.endswith("__") else sdk_name


def python_name(wire: str) -> str:
    """A wire name as a Python parameter of a generated function."""
    return f"{wire}_" if keyword.iskeyword(wire) else wire
