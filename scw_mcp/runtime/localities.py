"""Zones and regions: which exist (data/localities.yaml, the SDK's lists as a floor), where each
product exists (what zone/region "all" covers), and how to check a value an agent gave."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from .errors import ToolFailure

ZONE_RE = re.compile(r"^[a-z]{2}-[a-z]{3}-[1-9]$")
REGION_RE = re.compile(r"^[a-z]{2}-[a-z]{3}$")
ALL = "all"  # zone="all" / region="all": fan a listing out over every one


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    import yaml

    return yaml.safe_load(resources.files("scw_mcp").joinpath("data/localities.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _regions() -> dict[str, tuple[str, ...]]:
    from scaleway_core.bridge import ALL_REGIONS, ALL_ZONES

    data = _data()
    regions = {r: list(zones) for r, zones in data["regions"].items()}
    for region in map(str, ALL_REGIONS):
        regions.setdefault(region, [])
    for zone in map(str, ALL_ZONES):
        region = region_of(zone)
        if zone not in regions.setdefault(region, []):
            regions[region].append(zone)
    return {r: tuple(sorted(z)) for r, z in sorted(regions.items())}


def known_regions() -> list[str]:
    return list(_regions())


def known_zones() -> list[str]:
    return [z for zones in _regions().values() for z in zones]


def zones_of(region: str) -> list[str]:
    return list(_regions().get(region, ()))


def region_of(zone: str) -> str:
    """The region a zone belongs to (fr-par-1 -> fr-par)."""
    return zone.rsplit("-", 1)[0]


def zones_of_product(product: str) -> list[str]:
    """The zones a product exists in (every known zone for a product the data does not list)."""
    return list((_data().get("products") or {}).get(product, {}).get("zones") or known_zones())


def regions_of_product(product: str) -> list[str]:
    """The regions a product exists in (every known region for a product the data does not list)."""
    return list((_data().get("products") or {}).get(product, {}).get("regions") or known_regions())


def _check(kind: str, value: str, known: list[str], pattern: re.Pattern[str]) -> str:
    """The value as the API spells it (lower case), or a failure naming the nearest known one."""
    given, value = value, value.strip().lower()
    if value in known:
        return value
    if kind == "zone" and value in _regions():
        zones = zones_of(value)
        raise ToolFailure(
            f"Unknown zone {given!r}: {value!r} is a region. Did you mean {zones[0]!r}? "
            f"Zones of {value}: {', '.join(zones)}."
        )
    if kind == "region" and value in known_zones():
        region = region_of(value)
        raise ToolFailure(f"Unknown region {given!r}: {value!r} is a zone. Did you mean {region!r}?")
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    if pattern.match(value) and not close:
        return value  # well formed: maybe a zone newer than our list; the API is the judge
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ToolFailure(f"Unknown {kind} {given!r}.{hint} Known {kind}s: {', '.join(known)}.")


def check_zone(zone: str) -> str:
    return _check("zone", zone, known_zones(), ZONE_RE)


def check_region(region: str) -> str:
    return _check("region", region, known_regions(), REGION_RE)
