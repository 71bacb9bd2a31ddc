"""search_operations' ranking (scw_mcp/runtime/search.py) and the bench's request set."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path

import pytest
import yaml

from scw_mcp.runtime.catalog import search_doc
from scw_mcp.runtime.search import SearchDoc, SearchIndex, schema_details, words
from scw_mcp.safety import DESTRUCTIVE, load_rules
from scw_mcp.server import served_catalog

BENCH = Path(__file__).resolve().parents[2] / "bench"
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def doc(name: str, summary: str, safety: str = "read", product: str | None = None, **extra) -> SearchDoc:
    product = product or name.split("_")[0]
    return SearchDoc(
        name=name, product=product, namespace=product, summary=summary, description=summary, safety=safety, **extra
    )


SERVERS = [
    doc("instance_list_servers", "List all Instances", params=("zone", "name", "tags")),
    doc("instance_get_server", "Get an Instance", params=("server_id",)),
    doc("instance_create_server", "Create an Instance", "mutate", params=("name", "commercial_type")),
    doc("instance_delete_server", "Delete an Instance, power it off first if needed", DESTRUCTIVE),
    doc("instance_stop_server", "Stop (power off) an Instance", "mutate", handwritten=True),
    doc("instance_start_server", "Start (power on) an Instance", "mutate", handwritten=True),
    doc("instance_reboot_server", "Reboot an Instance", "mutate", handwritten=True),
    doc("instance_update_server", "Update an Instance", "mutate", params=("server_id", "name", "tags")),
    doc("instance_delete_server_user_data", "Delete a server's user data", DESTRUCTIVE),
]
CLUSTERS = [
    doc("k8s_list_clusters", "List all Clusters"),
    doc("k8s_get_cluster", "Get a Cluster"),
    doc("k8s_create_cluster", "Create a new Cluster", "mutate"),
    doc("k8s_delete_cluster", "Delete a Cluster", DESTRUCTIVE),
    doc("redis_list_clusters", "List Redis™ Database Instances"),
    doc("kafka_list_clusters", "List Kafka clusters"),
]
PEOPLE = [
    doc("iam_list_users", "List users of an Organization"),
    doc("rdb_list_users", "List users of a Database Instance"),
    doc("rdb_list_instances", "List Database Instances"),
    doc("ipam_list_ips", "List existing IPs"),
    doc("instance_list_ips", "List all flexible IPs"),
    doc("vpc_list_private_networks", "List Private Networks"),
]


def top(docs: list[SearchDoc], query: str, **kwargs) -> list[str]:
    return SearchIndex(docs).search(query, **kwargs)


# --- verb groups ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query, first",
    [
        ("power off a server", "instance_stop_server"),
        ("turn off my VM", "instance_stop_server"),
        ("shut down the instance web-01", "instance_stop_server"),
        ("power on a stopped server", "instance_start_server"),
        ("restart my instance", "instance_reboot_server"),
        ("show me my servers", "instance_list_servers"),
        ("show the details of one server", "instance_get_server"),
        ("remove a tag from a server", "instance_update_server"),
        ("delete a server", "instance_delete_server"),
        ("spin up a new VM", "instance_create_server"),
    ],
)
def test_verb_groups(query, first):
    assert top(SERVERS, query)[0] == first


def test_a_later_verb_counts_less_than_the_first():
    docs = [doc("iam_create_policy", "Create a new policy", "mutate"), doc("iam_get_policy", "Get an existing policy")]
    assert top(docs, "create a policy that gives read access to instances")[0] == "iam_create_policy"


def test_see_lists_kubernetes_clusters():
    assert top(CLUSTERS, "I want to see my Kubernetes clusters")[0] == "k8s_list_clusters"


# --- product words --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query, first",
    [
        ("list kubernetes clusters", "k8s_list_clusters"),
        ("list my kafka clusters", "kafka_list_clusters"),
    ],
)
def test_product_words(query, first):
    assert top(CLUSTERS, query)[0] == first


@pytest.mark.parametrize(
    "query, first",
    [
        ("who are the users of my organization", "iam_list_users"),
        ("list the users of my database", "rdb_list_users"),
        ("list my private IP addresses", "ipam_list_ips"),
        ("list my managed database instances", "rdb_list_instances"),
    ],
)
def test_product_words_pick_the_product(query, first):
    assert top(PEOPLE, query)[0] == first


# --- the destructive rule -------------------------------------------------------------------
def test_a_destructive_operation_never_ranks_first_for_a_harmless_request():
    # the destructive operation shares every word of the request, the harmless one hardly any
    docs = [
        doc("instance_delete_server_user_data", "Delete user data of a server", DESTRUCTIVE),
        doc("instance_get_dashboard", "Get the dashboard", params=("zone",)),
    ]
    ranked = SearchIndex(docs).rank("server user data")
    assert ranked[0][1] == "instance_get_dashboard"
    assert ranked[1][1] == "instance_delete_server_user_data"


@pytest.mark.parametrize("query", ["delete user data of a server", "wipe the server user data", "reset user data"])
def test_a_request_to_destroy_may_get_the_destructive_operation_first(query):
    docs = [
        doc("instance_delete_server_user_data", "Delete user data of a server", DESTRUCTIVE),
        doc("instance_get_dashboard", "Get the dashboard"),
    ]
    assert top(docs, query)[0] == "instance_delete_server_user_data"


def test_only_destructive_candidates_stay_as_they_are():
    docs = [doc("instance_delete_server", "Delete a server", DESTRUCTIVE)]
    assert top(docs, "server") == ["instance_delete_server"]


# --- what the parameters hold, coverage, phrasing --------------------------------------------
def test_schema_details_reads_nested_field_names_and_enum_values():
    schema = {
        "properties": {
            "endpoint": {"allOf": [{"$ref": "#/$defs/EndpointSpec"}]},
            "acl": {"type": "string", "enum": ["private", "public-read"]},
            "rules": {"type": "array", "items": {"$ref": "#/$defs/Rule"}},
        },
        "$defs": {
            "EndpointSpec": {"properties": {"private_network": {"$ref": "#/$defs/PN"}, "public_network": {}}},
            "PN": {"properties": {"private_network_id": {"type": "string"}}},
            "Rule": {"properties": {"action": {"type": "string", "enum": ["accept", "drop"]}}},
        },
    }
    assert schema_details(schema) == (
        "private_network",
        "public_network",
        "private",
        "public-read",
        "action",
        "accept",
        "drop",
    )


MONGO = [
    doc("mongodb_create_instance", "Create a MongoDB Database Instance", "mutate", params=("name", "version")),
    doc("mongodb_get_instance", "Get a MongoDB Database Instance"),
    doc(
        "mongodb_create_endpoint",
        "Create a new Instance endpoint",
        "mutate",
        params=("instance_id", "endpoint"),
        details=("private_network", "public_network"),
    ),
    doc("vpc_list_private_networks", "List Private Networks"),
]


def test_what_a_parameter_holds_finds_the_operation_named_by_the_context():
    # the endpoint is never named: its parameter holds the Private Network, the request's other end
    assert top(MONGO, "use Private Networks with a MongoDB instance")[0] == "mongodb_create_endpoint"


def test_connect_to_reads_and_connect_x_to_y_links():
    assert top(MONGO, "connect to a MongoDB instance")[0] == "mongodb_get_instance"
    assert top(MONGO, "connect a MongoDB instance to a Private Network")[0] == "mongodb_create_endpoint"


def test_coverage_prefers_the_operation_holding_more_of_the_request():
    docs = [
        doc("file_create_file_system", "Create a new filesystem", "mutate", product="file"),
        doc("instance_attach_server_file_system", "Attach a filesystem volume to an Instance", "mutate"),
    ]
    assert top(docs, "attach a file system to an Instance")[0] == "instance_attach_server_file_system"


def test_an_ing_form_before_a_noun_opens_no_clause():
    docs = [doc("tem_create_email", "Send an email", "mutate"), doc("tem_check_domain", "Domain DNS check")]
    request = SearchIndex(docs).request("verify my email sending domain")
    assert all(not in_context for _, _, in_context, _ in request.terms)
    assert top(docs, "verify my email sending domain")[0] == "tem_check_domain"


def test_a_word_with_a_known_synonym_names_the_object():
    docs = [
        doc("dedibox_start_bmc_access", "Start BMC access for a given baremetal server", "mutate"),
        doc("dedibox_create_server", "Create a baremetal server", "mutate"),
    ]
    request = SearchIndex(docs).request("use IPMI on a Dedibox server")
    assert {t: ctx for t, _, ctx, _ in request.terms}["server"] is True  # "on a Dedibox server" is the context
    assert top(docs, "use IPMI on a Dedibox server")[0] == "dedibox_start_bmc_access"


def test_product_synonyms_apply_only_in_their_product():
    docs = [
        doc("registry_list_tags", "List tags"),
        doc("registry_list_images", "List images"),
        doc("k8s_list_versions", "List all available Versions"),
    ]
    assert top(docs, "display the versions of an image in the registry")[0] == "registry_list_tags"
    assert top(docs, "list the Kubernetes versions")[0] == "k8s_list_versions"


@pytest.mark.parametrize(
    "query, first",
    [
        ("schedule a secret deletion", "secret_delete_secret"),  # a verb's noun asks for the verb...
        ("set CORS rules on a bucket", "object_storage_put_bucket_cors"),  # Object Storage's put_* sets
        ("is the domain example.fr available", "domain_search_available_domains"),
    ],
)
def test_verb_words(query, first):
    docs = [
        doc("secret_delete_secret", "Delete a secret", DESTRUCTIVE),
        doc("secret_get_secret", "Get a secret"),
        doc(
            "object_storage_put_bucket_cors",
            "Sets the cors configuration for your bucket",
            "mutate",
            product="object_storage",
        ),
        doc("object_storage_get_bucket_cors", "Returns the CORS configuration", product="object_storage"),
        doc("domain_search_available_domains", "Search available domains"),
        doc("domain_buy_domains", "Purchase domains", "mutate"),
    ]
    assert top(docs, query)[0] == first


def test_a_verb_noun_asks_to_destroy():
    assert SearchIndex(SERVERS).request("schedule a secret deletion").asks_destroy
    assert "deletion" in destroy_words()  # ... and the bench's rule reads the same list


def test_to_forms_phrases():
    assert words().phrases[("site", "to", "site")] == ("s2s_vpn",)
    docs = [
        doc("s2s_vpn_list_connections", "List connections", product="s2s_vpn"),
        doc("interlink_list_links", "List links"),
    ]
    assert top(docs, "list my site to site connections")[0] == "s2s_vpn_list_connections"


def test_search_stops_early_but_ranks_as_a_full_ranking():
    index, _ = surface()
    for item in requests()[::7]:
        assert index.search(item["q"], limit=3) == [name for _, name in index.rank(item["q"])][:3]


# --- filters, laziness, data ----------------------------------------------------------------
def test_product_and_safety_filters():
    assert set(top(SERVERS + CLUSTERS, "list", product="k8s")) <= {d.name for d in CLUSTERS if d.product == "k8s"}
    assert all(n.startswith("instance_") and "delete" in n for n in top(SERVERS, "server", safety=DESTRUCTIVE))
    assert len(top(SERVERS, "server", limit=2)) == 2


def test_the_index_is_built_on_the_first_search():
    index = SearchIndex(SERVERS)
    assert "_built" not in vars(index)
    index.search("servers")
    assert "_built" in vars(index)


def test_the_data_is_consistent():
    class Strict(yaml.SafeLoader):  # YAML keeps the last of two equal keys silently
        def construct_mapping(self, node, deep=False):
            keys = [str(self.construct_object(k, deep=deep)) for k, _ in node.value]
            assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})
            return super().construct_mapping(node, deep)

    yaml.load(resources.files("scw_mcp").joinpath("data/search.yaml").read_text(encoding="utf-8"), Loader=Strict)
    w = words()
    verbs = w.operation_verbs
    assert all(set(targets) <= verbs for targets in w.verbs.values()), "verb groups must ask for operation verbs"
    assert w.weak_product_words <= set(w.products), "weak product words must be product words"
    assert {"delete", "remove", "destroy", "wipe", "terminate", "reset"} <= w.destructive_words


def test_bare_yaml_booleans_are_refused(monkeypatch):
    from scw_mcp.runtime import search

    text = resources.files("scw_mcp").joinpath("data/search.yaml").read_text(encoding="utf-8")
    broken = text.replace('particles: ["on", "off",', "particles: [on, off,")
    assert broken != text

    class Files:
        def joinpath(self, _):
            return self

        def read_text(self, encoding):
            return broken

    monkeypatch.setattr(search.resources, "files", lambda _: Files())
    search.words.cache_clear()
    try:
        with pytest.raises(TypeError, match="quote it"):
            search.words()
    finally:
        search.words.cache_clear()


# --- the bench's request set (both halves) ----------------------------------------------------
@cache
def surface():
    docs = [search_doc(op) for op in served_catalog().entries.values()]
    return SearchIndex(docs), {d.name: d for d in docs}


@cache
def requests() -> list[dict]:
    return yaml.load((BENCH / "search_queries.yaml").read_text(encoding="utf-8"), Loader=LOADER)["queries"]


@cache
def destroy_words() -> frozenset[str]:
    """data/search.yaml's destructive words and the verbs the safety table classes destructive."""
    data = yaml.load(resources.files("scw_mcp").joinpath("data/search.yaml").read_text(encoding="utf-8"), Loader=LOADER)
    return frozenset(data["destructive_words"]) | {v for v, cls in load_rules().verbs.items() if cls == DESTRUCTIVE}


def asks_to_destroy(query: str) -> bool:
    return any(w in destroy_words() or w.rstrip("s") in destroy_words() for w in re.findall(r"[a-z]+", query.lower()))


def test_no_destructive_operation_first_for_a_harmless_request_of_the_set():
    index, docs = surface()
    wrong = []
    for item in requests():
        found = index.search(item["q"], limit=1)
        if found and docs[found[0]].safety == DESTRUCTIVE and not asks_to_destroy(item["q"]):
            wrong.append((item["q"], found[0]))
    assert not wrong


def test_the_set_names_real_tools_and_covers_every_product():
    _, docs = surface()
    items = requests()
    expected = {name for item in items for name in item["expect"]}
    assert expected <= set(docs), sorted(expected - set(docs))
    assert {docs[name].product for name in expected} == {d.product for d in docs.values()}
    from_titles = [item for item in items if "from" in item and not str(item["from"]).startswith("api:")]
    assert len(from_titles) >= 200


def test_a_destructive_verb_asks_for_itself_not_for_a_delete():
    """ "detach a volume" may lead with a detach; a delete leads only when the request asks to destroy."""
    volumes = [
        doc("block_delete_volume", "Delete a detached volume", DESTRUCTIVE, product="block"),
        doc("block_update_volume", "Update a volume", "mutate", product="block"),
        doc("block_get_volume", "Get a volume", product="block"),
    ]
    detach = [*volumes, doc("instance_detach_server_volume", "Detach a volume from its server", DESTRUCTIVE)]
    assert SearchIndex(volumes).request("detach a Block Storage volume").destroys == {"detach"}
    assert top(volumes, "detach a Block Storage volume")[0] != "block_delete_volume"
    assert top(detach, "detach a volume")[0] == "instance_detach_server_volume"
    assert top(volumes, "delete a Block Storage volume")[0] == "block_delete_volume"
