"""Credentials and defaults: environment first, then the scw CLI config file.

Never logs or returns a secret; `Settings.redactor` (runtime/redact.py) removes them from any text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .redact import Redactor, userinfo, without_userinfo

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
ACCESS_KEY_RE = re.compile(r"^SCW[A-Z0-9]{17}$")
DEFAULT_API_URL = "https://api.scaleway.com"
DEFAULT_S3_ENDPOINT = "https://s3.{region}.scw.cloud"

# setting -> environment variables, first found wins (aliases after the SDK's own name)
ENV_NAMES: dict[str, tuple[str, ...]] = {
    "access_key": ("SCW_ACCESS_KEY",),
    "secret_key": ("SCW_SECRET_KEY",),
    "project_id": ("SCW_DEFAULT_PROJECT_ID", "SCW_PROJECT_ID"),
    "organization_id": ("SCW_DEFAULT_ORGANIZATION_ID", "SCW_ORGANIZATION_ID"),
    "region": ("SCW_DEFAULT_REGION",),
    "zone": ("SCW_DEFAULT_ZONE",),
    "api_url": ("SCW_API_URL",),
    "s3_endpoint_url": ("SCW_S3_ENDPOINT_URL",),
    "http_token": ("SCW_MCP_HTTP_TOKEN",),
}
# setting -> key in the scw config file
FILE_KEYS = {
    "access_key": "access_key",
    "secret_key": "secret_key",
    "project_id": "default_project_id",
    "organization_id": "default_organization_id",
    "region": "default_region",
    "zone": "default_zone",
    "api_url": "api_url",
}


class SettingsError(Exception):
    """Credentials or defaults missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    access_key: str | None = None
    secret_key: str | None = field(default=None, repr=False)
    project_id: str | None = None
    organization_id: str | None = None
    region: str = "fr-par"
    zone: str = "fr-par-1"
    api_url: str = DEFAULT_API_URL
    s3_endpoint_url: str = DEFAULT_S3_ENDPOINT
    profile: str = "default"
    confirm_key: str | None = field(default=None, repr=False)  # signs confirmation tokens (runtime/confirm.py)
    http_token: str | None = field(default=None, repr=False)  # what HTTP clients send as their bearer token
    sources: tuple[str, ...] = ()  # where values came from, for the configuration resource

    def problems(self) -> list[str]:
        """What stops a call from being made, each naming the variable that fixes it."""
        out = []
        if not self.access_key:
            out.append("SCW_ACCESS_KEY is not set")
        elif not ACCESS_KEY_RE.match(self.access_key):
            out.append("SCW_ACCESS_KEY is malformed (expected SCW followed by 17 letters or digits)")
        if not self.secret_key:
            out.append("SCW_SECRET_KEY is not set")
        elif not UUID_RE.match(self.secret_key):
            out.append("SCW_SECRET_KEY is malformed (expected a UUID)")
        for name, value in (
            ("SCW_DEFAULT_PROJECT_ID", self.project_id),
            ("SCW_DEFAULT_ORGANIZATION_ID", self.organization_id),
        ):
            if value and not UUID_RE.match(value):
                out.append(f"{name} is malformed (expected a UUID)")
        if not re.match(r"^https?://[^/]+(:\d+)?(/.*)?$", self.api_url) or self.api_url.endswith("/"):
            out.append("SCW_API_URL must be a URL with a scheme and no trailing slash")
        return out

    def require_credentials(self) -> None:
        problems = self.problems()
        if problems:
            raise SettingsError(
                "Scaleway credentials are missing or invalid: "
                + "; ".join(problems)
                + ". Set them in the environment or in ~/.config/scw/config.yaml (scw init), then retry."
            )

    @cached_property
    def redactor(self) -> Redactor:
        """Removes every configured secret from text and data (a call adds its own: Redactor.with_secrets).
        The access key is not one: it names the key (IAM lists it, guards quote it) and signs nothing alone."""
        return Redactor(
            (
                self.secret_key,
                self.confirm_key,
                self.http_token,
                *userinfo(self.api_url),
                *userinfo(self.s3_endpoint_url),
            )
        )

    def redact(self, text: str) -> str:
        return self.redactor(text)

    def s3_endpoint(self, region: str) -> str:
        return self.s3_endpoint_url.replace("{region}", region)

    def public_view(self) -> dict[str, object]:
        """The effective configuration without any secret."""
        return {
            "profile": self.profile,
            "access_key": self.access_key[:7] + "…" if self.access_key else None,
            "secret_key": "set" if self.secret_key else "not set",
            "confirm_key": "set" if self.confirm_key else "not set (random per process)",
            "project_id": self.project_id,
            "organization_id": self.organization_id,
            "region": self.region,
            "zone": self.zone,
            "api_url": without_userinfo(self.api_url),
            "s3_endpoint_url": without_userinfo(self.s3_endpoint_url),
            "sources": list(self.sources),
            "problems": self.problems(),
        }


def _config_path(environ: Mapping[str, str]) -> Path:
    if environ.get("SCW_CONFIG_PATH"):
        return Path(environ["SCW_CONFIG_PATH"])
    base = (
        Path(environ["XDG_CONFIG_HOME"]) / "scw" if environ.get("XDG_CONFIG_HOME") else Path.home() / ".config" / "scw"
    )
    return base / "config.yaml"


def _from_file(path: Path, profile: str) -> dict[str, str]:
    if not path.is_file():
        if profile != "default":
            raise SettingsError(f"profile {profile!r} was asked for but {path} does not exist")
        return {}
    import yaml  # only when there is a config file to read

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SettingsError(f"cannot read the scw config file {path}: {type(exc).__name__}") from None
    if not isinstance(data, dict):
        raise SettingsError(f"the scw config file {path} is not a mapping")
    values = {name: data[key] for name, key in FILE_KEYS.items() if data.get(key)}
    if profile != "default":
        profiles = data.get("profiles") or {}
        if profile not in profiles:
            raise SettingsError(
                f"profile {profile!r} is not in {path} (known: {', '.join(sorted(profiles)) or 'none'})"
            )
        values.update({name: profiles[profile][key] for name, key in FILE_KEYS.items() if profiles[profile].get(key)})
    elif data.get("active_profile") and data["active_profile"] != "default":
        return _from_file(path, str(data["active_profile"]))
    return {k: str(v) for k, v in values.items()}


def load_settings(profile: str | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Environment variables win over the config file; the profile is passed explicitly."""
    env = os.environ if environ is None else environ
    profile = profile or env.get("SCW_PROFILE") or "default"
    path = _config_path(env)
    values: dict[str, str] = {}
    sources = []
    from_file = _from_file(path, profile)
    if from_file:
        values.update(from_file)
        sources.append(f"config file {path} (profile {profile})")
    from_env = {}
    for name, variables in ENV_NAMES.items():
        for variable in variables:
            if env.get(variable):
                from_env[name] = env[variable]
                break
    if from_env:
        values.update(from_env)
        sources.append("environment")
    return Settings(profile=profile, sources=tuple(sources), **values)
