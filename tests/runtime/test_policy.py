import pytest

from scw_mcp.runtime.errors import ToolFailure
from scw_mcp.runtime.policy import Guard, Policy, PolicyError, load_policy


def test_policy_file_rules(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text('deny: ["iam_*"]\nallow: ["instance_*", "vpc_*"]\nconfirm: ["*_update_*"]\nzones: [fr-par-1]\n')
    policy = load_policy(str(path))
    assert policy.permits("instance_list_servers") and not policy.permits("iam_list_users")
    assert not policy.permits("k8s_list_clusters")
    guard = Guard(policy=policy)
    with pytest.raises(ToolFailure, match="zone nl-ams-1 is not allowed"):
        guard.decide("instance_list_servers", "read", {"zone": "nl-ams-1"}, None)
    assert guard.decide("instance_update_server", "mutate", {"zone": "fr-par-1"}, None).needs_confirmation


def test_project_allowlist_and_read_only():
    guard = Guard(policy=Policy(projects=("p1",)))
    with pytest.raises(ToolFailure, match="project p2"):
        guard.decide("instance_create_server", "mutate", {"project": "p2"}, "p1")
    assert not guard.decide("instance_create_server", "mutate", {}, "p1").needs_confirmation
    with pytest.raises(ToolFailure, match="read-only"):
        Guard(read_only=True).decide("instance_create_server", "mutate", {}, None)


def test_power_actions_are_not_destructive_but_terminate_is():
    guard = Guard()
    assert not guard.decide("instance_server_action", "destructive", {"action": "poweron"}, None).needs_confirmation
    assert guard.decide("instance_server_action", "destructive", {"action": "terminate"}, None).needs_confirmation
    assert not Guard(confirm_destructive=False).decide("instance_delete_server", "destructive", {}, None).needs_confirmation


def test_bad_policy_file(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("denny: [x]\n")
    with pytest.raises(PolicyError):
        load_policy(str(path))
