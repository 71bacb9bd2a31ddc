from scw_mcp.generator import names


def test_acronym_repair():
    assert names.repair_acronyms("list_i_ps") == "list_ips"
    assert names.repair_acronyms("list_vp_cs") == "list_vpcs"
    assert names.repair_acronyms("list_jw_ts") == "list_jwts"
    assert names.repair_acronyms("list_private_ni_cs") == "list_private_nics"
    assert names.repair_acronyms("create_i_pv6_block_subnet") == "create_ipv6_block_subnet"
    assert names.repair_acronyms("list_session_ac_ls") == "list_session_acls"
    assert names.repair_acronyms("get_os") == "get_os"
    assert names.repair_acronyms("list_servers") == "list_servers"


def test_default_version_is_most_stable_then_newest():
    versions = {"instance": {"v1", "v2alpha1"}, "jobs": {"v1alpha1", "v1alpha2"}, "baremetal": {"v1", "v3"}}
    assert names.default_versions(versions, {"baremetal": "v1"}) == {
        "instance": "v1",
        "jobs": "v1alpha2",
        "baremetal": "v1",
    }


def test_class_discriminator():
    assert names.class_discriminator("LbV1ZonedAPI", "lb", "v1") == "zoned"
    assert names.class_discriminator("MongodbUtilsV1Alpha1API", "mongodb", "v1alpha1") == "utils"
    assert names.class_discriminator("MnqV1Beta1SqsAPI", "mnq", "v1beta1") == "sqs"


def test_fit_length_is_deterministic():
    long = "x" * 80
    assert names.fit_length(long, 64) == names.fit_length(long, 64)
    assert len(names.fit_length(long, 64)) <= 64
    assert names.fit_length("short", 64) == "short"


def test_wire_and_python_names():
    assert names.wire_name("type_") == "type"
    assert names.wire_name("from_") == "from"
    assert names.python_name("from") == "from_"
    assert names.python_name("type") == "type"
