"""Resources and prompts, through the real mcp client (in process)."""

import json

import anyio
from mcp import Client

from scw_mcp.runtime.settings import Settings
from scw_mcp.server import ServerOptions, build_server

SECRET = "5ec2e7a1-0000-4000-8000-5ec2e7a1c0de"


def test_resources_and_prompts():
    server = build_server(Settings(access_key="SCWTESTTESTTESTTEST1", secret_key=SECRET), ServerOptions(read_only=True))

    async def run():
        async with Client(server) as client:
            resources = await client.list_resources()
            config = await client.read_resource("scw://config")
            product = await client.read_resource("scw://catalog/instance")
            prompts = await client.list_prompts()
            prompt = await client.get_prompt("deploy_web_server", {"name": "web-9"})
            return resources, config, product, prompts, prompt

    resources, config, product, prompts, prompt = anyio.run(run)
    assert {"scw://config", "scw://catalog"} <= {str(r.uri) for r in resources.resources}
    view = json.loads(config.contents[0].text)
    assert view["read_only"] is True and view["zone"] == "fr-par-1"
    assert SECRET not in config.contents[0].text
    ops = json.loads(product.contents[0].text)["operations"]
    assert any(op["name"] == "instance_list_servers" for op in ops)
    assert {p.name for p in prompts.prompts} >= {"review_public_exposure", "inventory_and_costs", "deploy_web_server"}
    assert "web-9" in prompt.messages[0].content.text
