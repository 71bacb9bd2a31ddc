"""`scw-mcp`: serve over stdio (default) or streamable HTTP; `tools` and `call` subcommands."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import click

from scw_mcp import __version__
from scw_mcp.http import LOOPBACK, HttpOptions
from scw_mcp.runtime.redact import LogRedaction

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
log = logging.getLogger("scw_mcp")
# On every handler (stderr, audit file, request log): whatever any library logs passes the redactor
# of the configured secrets, set once they are loaded (_build).
LOG_REDACTION = LogRedaction()


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
    requests = logging.getLogger("scw_mcp.requests")  # HTTP: one line per request, whatever the level
    requests.setLevel(logging.INFO)
    requests.propagate = False
    request_handler = logging.StreamHandler(sys.stderr)
    request_handler.setFormatter(logging.Formatter("%(asctime)s request %(message)s"))
    requests.handlers[:] = [request_handler]
    for each in (handler, target, request_handler):
        each.addFilter(LOG_REDACTION)


@contextlib.contextmanager
def _environment(sandbox: bool) -> Iterator[Any]:
    """With --sandbox, start the embedded fake cloud and point everything at it."""
    if not sandbox:
        yield None
        return
    try:
        from scw_mcp.sandbox import Sandbox
    except ImportError as exc:
        raise click.ClickException(
            f"--sandbox needs the sandbox extra: pip install 'scw-mcp[sandbox]' ({exc})"
        ) from None
    from scw_mcp.sandbox.faults import FaultError

    try:
        sandbox_cloud = Sandbox()
    except FaultError as exc:
        raise click.ClickException(str(exc)) from None
    with sandbox_cloud as sb:
        log.warning(
            "sandbox: fake Scaleway API at %s, S3 at %s; nothing leaves this machine", sb.api_url, sb.s3_endpoint_url
        )
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
    from scw_mcp.runtime.confirm import ConfirmKeyError, load_secret
    from scw_mcp.runtime.policy import PolicyError, load_policy
    from scw_mcp.runtime.settings import SettingsError, load_settings
    from scw_mcp.server import ServerOptions, build_server, served_catalog

    toolsets = tuple(t.strip() for t in params["toolsets"].split(",") if t.strip()) or ("core",)
    catalog = served_catalog()
    unknown = toolset_rules.unknown(catalog, toolsets)
    if unknown:
        raise click.BadParameter(
            f"unknown toolset(s) {', '.join(unknown)}; use core, all, gateway or a product/namespace name",
            param_hint="--toolsets",
        )
    try:
        settings = load_settings(profile=params["profile"])
        settings = dataclasses.replace(settings, confirm_key=load_secret(os.environ, params["confirm_key_file"]))
        policy = load_policy(params["policy"])
    except (SettingsError, PolicyError, ConfirmKeyError) as exc:
        raise click.ClickException(str(exc)) from None
    LOG_REDACTION.redactor = settings.redactor
    options = ServerOptions(
        toolsets=toolsets,
        read_only=params["read_only"],
        confirm_destructive=not params["no_confirm"],
        allow_lockout=params["allow_lockout"],
        policy=policy,
        log_level=params["log_level"],
    )
    server = build_server(settings, options, catalog)
    problems = settings.problems()
    if problems:
        log.warning("calls will fail until credentials are fixed: %s", "; ".join(problems))
    if policy.projects and settings.project_id not in policy.projects:
        log.warning(
            "the default project %s is not in the policy's projects (%s): calls must name one of them; "
            "reads that name none read %s",
            settings.project_id,
            ", ".join(policy.projects),
            policy.projects[0] if len(policy.projects) == 1 else "nothing until they do",
        )
    return server


def _serve(server: Any, params: dict[str, Any]) -> None:
    if params["transport"] == "stdio":
        server.run("stdio")
        return
    from scw_mcp.http import serve_http

    if not server.scw_settings.confirm_key:
        log.warning(
            "no SCW_MCP_CONFIRM_KEY or --confirm-key-file: confirmation tokens are signed with a random key "
            "of this process, so a destructive call previewed on one replica cannot be confirmed on another"
        )
    options = HttpOptions(
        host=params["host"],
        port=params["port"],
        token=server.scw_settings.http_token,
        allowed_hosts=tuple(h.strip() for h in (params["allowed_hosts"] or "").split(",") if h.strip()),
        max_concurrent_calls=params["max_concurrent_calls"],
        max_connections=params["max_connections"],
        max_sse_streams=params["max_sse_streams"],
        header_timeout=params["http_header_timeout"],
        keepalive_timeout=params["http_keepalive_timeout"],
        shutdown_grace=params["shutdown_grace"],
    )
    serve_http(server, options, allow_no_token=params["http_no_token"])


@click.group(
    invoke_without_command=True,
    context_settings={"auto_envvar_prefix": "SCW_MCP", "help_option_names": ["-h", "--help"]},
)
@click.option(
    "--toolsets",
    default="core",
    show_default=True,
    help="Comma list: core, all, gateway, or product namespaces (instance,k8s,...).",
)
@click.option("--read-only", is_flag=True, help="Serve and allow read operations only.")
@click.option("--profile", default=None, help="Profile of the scw config file (default: SCW_PROFILE or 'default').")
@click.option("--transport", type=click.Choice(["stdio", "streamable-http"]), default="stdio", show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="HTTP bind address.")
@click.option("--port", default=8080, show_default=True, type=int, help="HTTP port.")
@click.option("--http-no-token", is_flag=True, help="Allow HTTP without SCW_MCP_HTTP_TOKEN (loopback only).")
@click.option(
    "--allowed-hosts",
    default=None,
    help="HTTP: comma list of host names clients use (load balancer, Service); other Host/Origin headers get 421/403.",
)
@click.option(
    "--confirm-key-file",
    default=None,
    type=click.Path(dir_okay=False),
    help="File holding the secret that signs confirmation tokens (or SCW_MCP_CONFIRM_KEY); replicas sharing "
    "it accept each other's tokens.",
)
@click.option(
    "--max-concurrent-calls",
    default=HttpOptions.max_concurrent_calls,
    show_default=True,
    type=click.IntRange(min=1),
    help="HTTP: MCP requests served at once; beyond, 503 with Retry-After.",
)
@click.option(
    "--max-connections",
    default=HttpOptions.max_connections,
    show_default=True,
    type=click.IntRange(min=1),
    help="HTTP: open connections; beyond, new ones get 503 and are closed.",
)
@click.option(
    "--max-sse-streams",
    default=HttpOptions.max_sse_streams,
    show_default=True,
    type=click.IntRange(min=0),
    help="HTTP: open subscription (SSE) streams for the token; beyond, 429.",
)
@click.option(
    "--http-header-timeout",
    default=HttpOptions.header_timeout,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="HTTP: seconds for a request's line and headers to arrive; then the connection is closed.",
)
@click.option(
    "--http-keepalive-timeout",
    default=HttpOptions.keepalive_timeout,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="HTTP: seconds an idle kept-alive connection stays open (set it above your load balancer's idle timeout).",
)
@click.option(
    "--shutdown-grace",
    default=HttpOptions.shutdown_grace,
    show_default=True,
    type=click.FloatRange(min=0),
    help="HTTP: on SIGTERM, seconds in-flight requests get to finish.",
)
@click.option(
    "--sandbox", is_flag=True, help="Run against an embedded fake Scaleway cloud (nothing leaves the machine)."
)
@click.option(
    "--no-confirm", is_flag=True, help="Run destructive operations without the confirmation step (automation)."
)
@click.option(
    "--allow-lockout",
    is_flag=True,
    help="Skip the guards against deleting this server's own API key/policy or the last SSH rule.",
)
@click.option(
    "--policy", default=None, help="Policy file (YAML or TOML): allow/deny/confirm rules, project/zone allowlists."
)
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
        modes = [*server.options.toolsets, *(["read-only"] if server.options.read_only else [])]
        if server.options.policy.source:
            modes.append(f"policy {server.options.policy.source}")
        click.echo(f"{len(server.served) + len(rows)} tools ({', '.join(modes)}); {server.reach()}")
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
    served as a typed tool); read-only mode and the policy apply as usual.

    A destructive operation first prints a preview and a confirm_token. Each process signs its
    tokens with its own random key, so a second `scw-mcp call` refuses the token unless both calls
    share a key: set SCW_MCP_CONFIRM_KEY (or --confirm-key-file) to the same secret for both
    (e.g. export SCW_MCP_CONFIRM_KEY=$(openssl rand -hex 32)). In one MCP session (stdio or HTTP)
    the token works without it."""
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
        raise click.UsageError(
            "the demo creates and deletes resources, so it only runs against the sandbox: scw-mcp --sandbox demo"
        )
    if not params["audit_log"]:  # the demo prints each step itself; audit lines would interleave
        logging.getLogger("scw_mcp.audit").disabled = True
    with _environment(True):
        server = _build(params)
        failures = anyio.run(run_demo, server)
    sys.exit(1 if failures else 0)


@main.group("sandbox")
def sandbox_group() -> None:
    """The sandbox (fake Scaleway API + S3) on its own, for several servers, tests and scripts to share."""


@sandbox_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Bind address of the fake API and of S3.")
@click.option(
    "--port",
    default=0,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port of the fake API (0: a free one); S3 takes a free port.",
)
@click.option(
    "--faults",
    default=None,
    help="JSON list of faults (latency, 429, 5xx, ...; see scw_mcp/sandbox/faults.py); default: SCW_SANDBOX_FAULTS.",
)
@click.option("--no-s3", is_flag=True, help="Serve the fake API only (no moto S3 endpoint).")
def sandbox_serve(host: str, port: int, faults: str | None, no_s3: bool) -> None:
    """Serve the sandbox until SIGTERM. Prints one JSON line on stdout: api_url, s3_endpoint_url, access_key,
    secret_key, project_id, organization_id (and region, zone, and `env`: the SCW_* variables that point a
    server at it)."""
    import signal
    import threading

    try:
        from scw_mcp.sandbox import Sandbox
        from scw_mcp.sandbox.faults import FaultError
    except ImportError as exc:
        raise click.ClickException(f"the sandbox needs its extra: pip install 'scw-mcp[sandbox]' ({exc})") from None
    try:
        parsed = json.loads(faults) if faults else None
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint="--faults") from None
    try:
        cloud = Sandbox(
            faults=[parsed] if isinstance(parsed, dict) else parsed, s3=not no_s3, host=host, port=port, record=False
        )
    except FaultError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    if host not in LOOPBACK:
        log.warning("sandbox: listening on %s: other machines can reach this fake cloud", host)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        with cloud as sb:
            click.echo(
                json.dumps(
                    {
                        "api_url": sb.api_url,
                        "s3_endpoint_url": sb.s3_endpoint_url,
                        "access_key": sb.access_key,
                        "secret_key": sb.secret_key,
                        "project_id": sb.project_id,
                        "organization_id": sb.organization_id,
                        "region": sb.region,
                        "zone": sb.zone,
                        "env": sb.env(),
                    }
                )
            )
            sys.stdout.flush()
            log.warning(
                "sandbox: fake Scaleway API at %s, S3 at %s; serving until SIGTERM", sb.api_url, sb.s3_endpoint_url
            )
            while not stop.wait(0.5):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log.info("sandbox: stopped")


if __name__ == "__main__":
    main()
