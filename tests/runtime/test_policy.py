import pytest

from scw_mcp.runtime.errors import ToolFailure
from scw_mcp.runtime.policy import Gate, Policy, PolicyError, load_policy
from tests.runtime.ops import make_op

LIST_SERVERS = make_op("instance_list_servers", scope="zone")
UPDATE_SERVER = make_op("instance_update_server", "mutate", scope="zone")
# a hand-written delete: powers the server off, then deletes it
DELETE_SERVER = make_op(
    "instance_delete_server",
    "destructive",
    scope="zone",
    performs=("instance_get_server", "instance_server_action", "instance_delete_server"),
    writes=("instance_server_action", "instance_delete_server"),
)
STOP_SERVER = make_op(
    "instance_stop_server",
    "mutate",
    performs=("instance_server_action", "instance_get_server"),
    writes=("instance_server_action",),
)


def test_policy_file_rules(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text('deny: ["iam_*"]\nallow: ["instance_*", "vpc_*"]\nconfirm: ["*_update_*"]\nzones: [fr-par-1]\n')
    policy = load_policy(str(path))
    assert policy.permits(LIST_SERVERS) and not policy.permits(make_op("iam_list_users"))
    assert not policy.permits(make_op("k8s_list_clusters"))
    gate = Gate(policy=policy)
    with pytest.raises(ToolFailure, match="zone nl-ams-1 is not allowed"):
        gate.decide(LIST_SERVERS, {"zone": "nl-ams-1"}, None)
    assert gate.decide(UPDATE_SERVER, {"zone": "fr-par-1"}, None).needs_confirmation


def test_rules_match_the_operations_a_tool_performs_not_its_spelling():
    # deny matches any operation the tool performs, whatever the tool is called
    assert not Policy(deny=("*_delete_*",)).permits(DELETE_SERVER)
    assert not Policy(deny=("instance_server_action",)).permits(STOP_SERVER)
    assert not Policy(deny=("instance_get_server",)).permits(DELETE_SERVER)
    # allow needs the tool and every operation it writes with
    assert not Policy(allow=("instance_delete_server",)).permits(DELETE_SERVER)
    assert Policy(allow=("instance_delete_server", "instance_server_action")).permits(DELETE_SERVER)
    # confirm matches the operations it writes with
    assert Gate(policy=Policy(confirm=("*_server_action",))).decide(STOP_SERVER, {}, None).needs_confirmation
    assert not Gate(policy=Policy(confirm=("*",))).decide(LIST_SERVERS, {}, None).needs_confirmation  # reads never


@pytest.mark.parametrize(
    "text, field",
    [
        ('allow: "instance_*"\n', "allow"),
        ("deny: iam_*\n", "deny"),
        ("zones: fr-par-1\n", "zones"),
        ("projects: [1234]\n", "projects"),
        ("confirm: {a: b}\n", "confirm"),
    ],
)
def test_values_of_the_wrong_type_fail_closed(tmp_path, text, field):
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(PolicyError, match=f"{field} must be a list of strings"):
        load_policy(str(path))


def test_region_allowlist_covers_zone_scoped_operations():
    gate = Gate(policy=Policy(regions=("fr-par",)))
    gate.decide(LIST_SERVERS, {"zone": "fr-par-2"}, None)
    with pytest.raises(ToolFailure, match="zone nl-ams-1 is not allowed"):
        gate.decide(LIST_SERVERS, {"zone": "nl-ams-1"}, None)
    assert Policy(regions=("fr-par",)).zone_allowed("fr-par-3") and not Policy(zones=("fr-par-1",)).zone_allowed(
        "fr-par-2"
    )


def test_project_allowlist_and_read_only():
    create = make_op("instance_create_server", "mutate")
    gate = Gate(policy=Policy(projects=("p1",)))
    with pytest.raises(ToolFailure, match="project p2"):
        gate.decide(create, {"project": "p2"}, "p1")
    assert not gate.decide(create, {}, "p1").needs_confirmation
    with pytest.raises(ToolFailure, match="project None"):
        gate.decide(create, {}, None)  # a write must say which project it targets
    with pytest.raises(ToolFailure, match="read-only"):
        Gate(read_only=True).decide(create, {}, None)
    assert not Gate(read_only=True).serves(STOP_SERVER) and Gate(read_only=True).serves(LIST_SERVERS)


def test_power_actions_are_not_destructive_but_terminate_is():
    action = make_op("instance_server_action", "destructive")
    gate = Gate()
    assert not gate.decide(action, {"action": "poweron"}, None).needs_confirmation
    assert gate.decide(action, {"action": "terminate"}, None).needs_confirmation
    assert not Gate(confirm_destructive=False).decide(DELETE_SERVER, {}, None).needs_confirmation


def test_bad_policy_file(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("denny: [x]\n")
    with pytest.raises(PolicyError):
        load_policy(str(path))
