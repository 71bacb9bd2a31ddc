"""Zones and regions: today's list (SDK as a floor), where each product exists, and checks."""

import pytest

from scw_mcp.runtime.catalog import load_catalog
from scw_mcp.runtime.errors import ToolFailure
from scw_mcp.runtime.localities import (
    _data,
    check_region,
    check_zone,
    known_regions,
    known_zones,
    region_of,
    regions_of_product,
    zones_of_product,
)


def test_todays_zones_and_regions_are_known_and_the_sdk_list_is_a_floor():
    from scaleway_core.bridge import ALL_REGIONS, ALL_ZONES

    assert {"it-mil-1", "pl-waw-3", "fr-par-3", "nl-ams-3"} <= set(known_zones())
    assert {"it-mil", "pl-waw"} <= set(known_regions())
    assert {str(z) for z in ALL_ZONES} <= set(known_zones()) and {str(r) for r in ALL_REGIONS} <= set(known_regions())
    assert (
        check_zone("it-mil-1") == "it-mil-1"
        and check_zone("pl-waw-3") == "pl-waw-3"
        and check_region("it-mil") == "it-mil"
    )


def test_only_malformed_values_are_refused_and_near_misses_get_a_suggestion():
    assert check_zone("se-sto-1") == "se-sto-1"  # well formed, near nothing: maybe newer than the data
    with pytest.raises(ToolFailure, match="Did you mean 'fr-par-1'"):
        check_zone("fr-pra-1")
    with pytest.raises(ToolFailure, match="Did you mean 'nl-ams'"):
        check_region("nl-am")
    with pytest.raises(ToolFailure, match="Unknown zone 'paris'"):
        check_zone("paris")


def test_case_is_forgiven_and_a_region_for_a_zone_gets_its_first_zone():
    assert check_zone("FR-PAR-1") == "fr-par-1" and check_region("Nl-Ams") == "nl-ams"
    with pytest.raises(ToolFailure, match="'fr-par' is a region. Did you mean 'fr-par-1'"):
        check_zone("fr-par")
    with pytest.raises(ToolFailure, match="'fr-par-2' is a zone. Did you mean 'fr-par'"):
        check_region("FR-PAR-2")


def test_every_product_of_the_data_exists_in_places_that_exist():
    products = _data()["products"]
    scopes = {(op.product, op.scope) for op in load_catalog().entries.values() if op.scope}
    for product, places in products.items():
        assert places and set(places) <= {"zones", "regions"}, product
        for scope in ("zone", "region"):
            if f"{scope}s" in places:
                assert (product, scope) in scopes, f"{product} has no {scope}d operation"
                assert set(places[f"{scope}s"]) <= set(known_zones() if scope == "zone" else known_regions()), product


def test_all_means_where_the_product_exists():
    assert "it-mil-1" in zones_of_product("instance") and "it-mil-1" not in zones_of_product("block")
    assert regions_of_product("k8s") == ["fr-par", "nl-ams", "pl-waw", "it-mil"]
    assert zones_of_product("marketplace") == known_zones()  # not in the data: every zone


def test_a_zone_belongs_to_its_region():
    assert region_of("fr-par-1") == "fr-par" and region_of("pl-waw-3") == "pl-waw"
    assert all(region_of(zone) in known_regions() for zone in known_zones())
