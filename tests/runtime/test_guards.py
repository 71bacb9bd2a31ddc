import anyio
import pytest

from scw_mcp.runtime import guards
from scw_mcp.runtime.context import CallContext
from scw_mcp.runtime.errors import ToolFailure
from scw_mcp.runtime.settings import Settings
from tests.runtime.ops import make_op

DELETE_KEY = make_op("iam_delete_api_key", "destructive")


def test_deleting_the_servers_own_api_key_is_refused():
    ctx = CallContext(settings=Settings(access_key="SCWTESTTESTTESTTEST1"), tool="iam_delete_api_key")
    with pytest.raises(ToolFailure, match="API key this server is using"):
        anyio.run(guards.check, ctx, DELETE_KEY, {"access_key": "SCWTESTTESTTESTTEST1"})
    anyio.run(guards.check, ctx, DELETE_KEY, {"access_key": "SCWOTHEROTHEROTHER12"})
    # a tool that performs the guarded operation gets its guard too, whatever it is called
    wrapper = make_op("iam_rotate_keys", "destructive", performs=("iam_create_api_key", "iam_delete_api_key"))
    with pytest.raises(ToolFailure, match="API key this server is using"):
        anyio.run(guards.check, ctx, wrapper, {"access_key": "SCWTESTTESTTESTTEST1"})


def test_ssh_rule_detection():
    class Rule:
        def __init__(self, port, direction="inbound", action="accept", protocol="TCP"):
            self.dest_port_from, self.dest_port_to = port, None
            self.direction, self.action, self.protocol = direction, action, protocol

    assert guards._allows_ssh(Rule(22))
    assert guards._allows_ssh(Rule(None, protocol="ANY"))
    assert not guards._allows_ssh(Rule(443))
    assert not guards._allows_ssh(Rule(22, action="drop"))
