"""`scw-mcp`: serve over stdio (default) or streamable HTTP; `tools` and `call` subcommands."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import warnings
from typing import Any, Iterator

import click

from scw_mcp import __version__

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
log = logging.getLogger("scw_mcp")


def _setup_logging(level: str, audit_log: str | None) -> None:
    """Everything goes to stderr: stdout carries JSON-RPC only."""
    from mcp.shared.exceptions import MCPDeprecationWarning

    # We still send the (deprecated, still widely shown) MCP log notification per mutating call.
    warnings.filterwarnings("ignore", message="The logging capability is deprecated", category=MCPDeprecationWarning)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("botocore", "boto3", "urllib3", "s3transfer", "werkzeug", "httpx", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    logging.getLogger("scaleway").setLevel(logging.WARNING)  # the SDK logs request headers at DEBUG
    audit = logging.getLogger("scw_mcp.audit")
    audit.setLevel(logging.INFO)
    audit.propagate = False
    target: logging.Handler = logging.FileHandler(audit_log) if audit_log else logging.StreamHandler(sys.stderr)
    target.setFormatter(logging.Formatter("audit %(message)s"))
    audit.handlers[:] = [target]


@contextlib.contextmanager
def _environment(sandbox: bool) -> Iterator[Any]:
    """With --sandbox, start the embedded fake cloud and point everything at it."""
    if not sandbox:
        yield None
        return
    try:
        from scw_mcp.sandbox import Sandbox
    except ImportError as exc:
        raise click.ClickException(f"--sandbox needs the sandbox extra: pip install 'scw-mcp[sandbox]' ({exc})") from None
    from scw_mcp.sandbox.faults import FaultError

    try:
        sandbox_cloud = Sandbox()
    except FaultError as exc:
        raise click.ClickException(str(exc)) from None
    with sandbox_cloud as sb:
        log.warning("sandbox: fake Scaleway API at %s, S3 at %s; nothing leaves this machine", sb.api_url, sb.s3_endpoint_url)
        saved = dict(os.environ)
        os.environ.update(sb.env())
        for name in ("SCW_PROFILE", "SCW_CONFIG_PATH"):
            os.environ.pop(name, None)
        try:
            yield sb
        finally:
            os.environ.clear()
            os.environ.update(saved)


def _build(params: dict[str, Any]) -> Any:
    from scw_mcp.runtime import toolsets as toolset_rules
    from scw_mcp.runtime.policy import PolicyError, load_policy
    from scw_mcp.runtime.settings import SettingsError, load_settings
    from scw_mcp.server import ServerOptions, build_server, served_catalog

    toolsets = tuple(t.strip() for t in params["toolsets"].split(",") if t.strip()) or ("core",)
    unknown = toolset_rules.unknown(served_catalog(), toolsets)
    if unknown:
        raise click.BadParameter(f"unknown toolset(s) {', '.join(unknown)}; use core, all, gateway or a product/namespace name", param_hint="--toolsets")
    try:
        settings = load_settings(profile=params["profile"])
        policy = load_policy(params["policy"])
    except (SettingsError, PolicyError) as exc:
        raise click.ClickException(str(exc)) from None
    options = ServerOptions(
        toolsets=toolsets,
        read_only=params["read_only"],
        confirm_destructive=not params["no_confirm"],
        allow_lockout=params["allow_lockout"],
        policy=policy,
        log_level=params["log_level"],
    )
    server = build_server(settings, options)
    problems = settings.problems()
    if problems:
        log.warning("calls will fail until credentials are fixed: %s", "; ".join(problems))
    return server


def _serve(server: Any, params: dict[str, Any]) -> None:
    if params["transport"] == "stdio":
        server.run("stdio")
        return
    from scw_mcp.http import serve_http

    serve_http(server, host=params["host"], port=params["port"], token=os.environ.get("SCW_MCP_HTTP_TOKEN"),
               allow_no_token=params["http_no_token"])


@click.group(invoke_without_command=True, context_settings={"auto_envvar_prefix": "SCW_MCP", "help_option_names": ["-h", "--help"]})
@click.option("--toolsets", default="core", show_default=True, help="Comma list: core, all, gateway, or product namespaces (instance,k8s,...).")
@click.option("--read-only", is_flag=True, help="Serve and allow read operations only.")
@click.option("--profile", default=None, help="Profile of the scw config file (default: SCW_PROFILE or 'default').")
@click.option("--transport", type=click.Choice(["stdio", "streamable-http"]), default="stdio", show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="HTTP bind address.")
@click.option("--port", default=8080, show_default=True, type=int, help="HTTP port.")
@click.option("--http-no-token", is_flag=True, help="Allow HTTP without SCW_MCP_HTTP_TOKEN (loopback only).")
@click.option("--sandbox", is_flag=True, help="Run against an embedded fake Scaleway cloud (nothing leaves the machine).")
@click.option("--no-confirm", is_flag=True, help="Run destructive operations without the confirmation step (automation).")
@click.option("--allow-lockout", is_flag=True, help="Skip the guards against deleting this server's own API key/policy or the last SSH rule.")
@click.option("--policy", default=None, help="Policy file (YAML or TOML): allow/deny/confirm rules, project/zone allowlists.")
@click.option("--audit-log", default=None, help="Write the audit log of mutating calls to this file (default: stderr).")
@click.option("--log-level", type=click.Choice(LOG_LEVELS, case_sensitive=False), default="WARNING", show_default=True)
@click.version_option(__version__, prog_name="scw-mcp")
@click.pass_context
def main(ctx: click.Context, **params: Any) -> None:
    """MCP server for the whole Scaleway cloud. Serves over stdio unless a subcommand is given."""
    params["log_level"] = params["log_level"].upper()
    _setup_logging(params["log_level"], params["audit_log"])
    ctx.obj = params
    if ctx.invoked_subcommand is None:
        with _environment(params["sandbox"]):
            _serve(_build(params), params)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the tools as JSON (as tools/list would).")
@click.pass_obj
def tools(params: dict[str, Any], as_json: bool) -> None:
    """List what would be served, with safety classes."""
    from scw_mcp.server import tools_json

    with _environment(params["sandbox"]):
        server = _build(params)
        if as_json:
            click.echo(tools_json(server))
            return
        rows = [(t.name, t.annotations) for t in server.gateway_tools()]
        safety = {n: e.safety for n, e in server.served.items()}
        click.echo(f"{len(server.served) + len(rows)} tools ({', '.join(server.options.toolsets)}"
                   f"{', read-only' if server.options.read_only else ''}); every one of "
                   f"{len(server.catalog.entries)} operations is reachable through the gateway tools.")
        for name, _ in rows:
            click.echo(f"  {name:<44} gateway")
        for name in sorted(server.served):
            click.echo(f"  {name:<44} {safety[name]}")


@main.command()
@click.argument("tool")
@click.argument("arguments", default="{}")
@click.pass_obj
def call(params: dict[str, Any], tool: str, arguments: str) -> None:
    """Run one operation through a real in-process MCP client and print its result as JSON.

    Any operation of the catalog, whatever the toolset (through call_operation when it is not
    served as a typed tool); read-only mode and the policy apply as usual."""
    import anyio
    from mcp import Client

    from scw_mcp.runtime.gateway import CALL, GATEWAY_SCHEMAS

    try:
        args = json.loads(arguments)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint="ARGUMENTS") from None
    if not isinstance(args, dict):
        raise click.BadParameter("must be a JSON object", param_hint="ARGUMENTS")

    with _environment(params["sandbox"]):
        server = _build(params)

        async def run() -> Any:
            async with Client(server) as client:
                if tool in server.served or tool in GATEWAY_SCHEMAS:
                    return await client.call_tool(tool, args)
                return await client.call_tool(CALL, {"name": tool, "arguments": args})

        result = anyio.run(run)
    payload = result.structured_content
    if payload is None:
        text = "".join(getattr(c, "text", "") for c in result.content)
        payload = {"error": text} if result.is_error else {"text": text}
    elif result.is_error:
        payload = {"error": payload}
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    if result.is_error:
        sys.exit(1)


@main.command()
@click.pass_obj
def demo(params: dict[str, Any]) -> None:
    """Run a short scripted session against the sandbox and print every step (needs --sandbox)."""
    import anyio

    from scw_mcp.demo import run_demo

    if not params["sandbox"]:
        raise click.UsageError("the demo creates and deletes resources, so it only runs against the sandbox: scw-mcp --sandbox demo")
    if not params["audit_log"]:  # the demo prints each step itself; audit lines would interleave
        logging.getLogger("scw_mcp.audit").disabled = True
    with _environment(True):
        server = _build(params)
        failures = anyio.run(run_demo, server)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
