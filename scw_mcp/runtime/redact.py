"""One redactor for every string that leaves the process: results, errors, previews, MCP log
and progress notifications, stderr, the audit log, resources.

A `Redactor` knows secrets: the configured ones (`Settings.redactor`: the secret key, the
confirmation and HTTP tokens, passwords in a configured URL), plus, for one call, the values of
its secret-named arguments (`Redactor.with_secrets(*secret_values(arguments))`). It removes each
wherever it appears, in any ASCII case, and cut: any run of CUT or more of its characters that
mixes letters and digits (as every such run of a random key does; a passphrase's words are left
alone) is taken for the secret. Apply it before any truncation: a secret cut short of CUT
characters is no longer recognisable, so whatever cuts text redacts it first.
"""

from __future__ import annotations

import json
import logging
import re
import traceback
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .secrets import is_secret_name

MARK = "[redacted]"
CUT = 12  # a run this long of a secret's characters is the secret, cut
MIN_LENGTH = 6  # shorter values are too common to strike out of text (no Scaleway secret is that short)
_CHUNK = CUT // 2  # every run of CUT characters of a secret holds one whole chunk that starts at a multiple of _CHUNK


def _fold(text: str) -> str:
    """ASCII letters in lower case, every other character as it is: same length, so indices still match."""
    return text.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")


class Redactor:
    """Removes known secrets from text (`redactor(text)`) and from JSON data (`redactor.value(data)`).

    Fast where there is nothing to remove: each chunk of each secret is looked for with str.find."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        forms: list[str] = []
        for secret in secrets:
            if not isinstance(secret, str):
                continue
            for form in (secret, secret.replace("-", "")):  # a UUID is also written without its dashes
                folded = _fold(form)
                if len(folded) >= MIN_LENGTH and folded not in forms:
                    forms.append(folded)
        self.secrets: tuple[str, ...] = tuple(forms)
        # chunk -> (secret, offset of the chunk in it): a hit is then extended to the whole run around it
        self._chunks: dict[str, list[tuple[str, int]]] = {}
        for secret in self.secrets:
            offsets = range(0, len(secret) - _CHUNK + 1, _CHUNK) if len(secret) >= CUT else (0,)
            for offset in offsets:
                self._chunks.setdefault(secret[offset : offset + _CHUNK], []).append((secret, offset))
        # data is checked as its JSON text first, unless a secret has characters JSON would escape
        self._json_plain = all(json.dumps(s, ensure_ascii=False)[1:-1] == s for s in self.secrets)

    def with_secrets(self, *more: str | None) -> Redactor:
        """This redactor plus more secrets (a call's passwords...)."""
        added = [m for m in more if isinstance(m, str) and len(m) >= MIN_LENGTH]
        return Redactor(self.secrets + tuple(added)) if added else self

    # --- finding ---------------------------------------------------------------------------
    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where secrets (whole, in any ASCII case, or runs of CUT+ characters) are in text, merged, in order."""
        if not self._chunks or len(text) < _CHUNK:
            return []
        folded = _fold(text)
        found = []
        for chunk, places in self._chunks.items():
            at = folded.find(chunk)
            while at != -1:
                for secret, offset in places:
                    span = _run(folded, at, secret, offset)
                    if span is not None:
                        found.append(span)
                at = folded.find(chunk, at + 1)
        found.sort()
        merged: list[tuple[int, int]] = []
        for start, end in found:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    # --- removing --------------------------------------------------------------------------
    def __call__(self, text: str) -> str:
        spans = self.spans(text)
        if not spans:
            return text
        out, last = [], 0
        for start, end in spans:
            out += [text[last:start], MARK]
            last = end
        out.append(text[last:])
        return "".join(out)

    def value(self, data: Any) -> Any:
        """JSON data (dicts, lists, strings...) with every secret removed from keys and strings."""
        if not self._chunks:
            return data
        if self._json_plain and not self.spans(json.dumps(data, ensure_ascii=False, default=str)):
            return data
        return self._walk(data)

    def _walk(self, data: Any) -> Any:
        if isinstance(data, dict):
            return {self._walk(k): self._walk(v) for k, v in data.items()}
        if isinstance(data, (list, tuple)):
            return [self._walk(v) for v in data]
        if isinstance(data, str):
            return self(data)
        if data is None or isinstance(data, (bool, int, float)):
            return data
        return self(str(data))


def _run(folded: str, at: int, secret: str, offset: int) -> tuple[int, int] | None:
    """The span of text around a chunk hit (chunk `offset` of `secret` found at `at`) that matches the
    secret, if it is long enough to be it: CUT characters, or the whole of a shorter secret."""
    start, i = at, offset
    while start > 0 and i > 0 and folded[start - 1] == secret[i - 1]:
        start, i = start - 1, i - 1
    end, j = at + _CHUNK, offset + _CHUNK  # the chunk itself matches: str.find found it
    while end < len(folded) and j < len(secret) and folded[end] == secret[j]:
        end, j = end + 1, j + 1
    if end - start == len(secret):
        return start, end
    run = folded[start:end]
    # A cut form must look random: a passphrase's word ("confirmation") is not taken for the passphrase.
    if end - start >= CUT and any(c.isdigit() for c in run) and any(c.isalpha() for c in run):
        return start, end
    return None


# Secret-named, yet not secret values: cursors and the confirmation token (shown again on purpose: a
# listing's `next` holds the next cursor, a refused confirmation a new token, both sharing the old one's
# prefix), and what names or places a secret (secret_name, a TLS secret's secret_id and region).
_NOT_SECRET_VALUE = re.compile(
    r"(page|continuation|confirm)_token$|^secret_(name|path|region|manager_version)$"
    r"|scopes$|(^|_)ids?$|^(name|region|zone)$"
)


def secret_values(value: Any, named: bool = False) -> Iterator[str]:
    """The string values of secret-named arguments (password, secret_key, the values of
    secret_environment_variables...), at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            key = str(key)
            yield from secret_values(item, (named or is_secret_name(key)) and not _NOT_SECRET_VALUE.search(key))
    elif isinstance(value, list):
        for item in value:
            yield from secret_values(item, named)
    elif named and isinstance(value, str):
        yield value


# --- URLs ----------------------------------------------------------------------------------
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")


def without_userinfo(url: str) -> str:
    """A URL as it may be shown: without `user:password@`."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def userinfo(url: str | None) -> tuple[str, ...]:
    """The secret in a URL's userinfo, to redact wherever it appears: the password of `user:password@`,
    or the whole of a lone `token@` (a user name beside a password is no secret)."""
    if not url:
        return ()
    try:
        parts = urlsplit(url)
        secret = parts.password if parts.password is not None else parts.username
    except ValueError:
        return ()
    return (secret,) if secret else ()


# --- logs and tracebacks -------------------------------------------------------------------
def exception_summary(exc: BaseException) -> str:
    """One line about an exception for a log, never an API response body (ScalewayException's
    text is the whole body; botocore's ClientError quotes the endpoint's message)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):  # botocore
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return f"HTTP {status}, code {response.get('Error', {}).get('Code')} (response body not logged)"
    if response is not None:
        return f"HTTP {getattr(response, 'status_code', None)} (response body not logged)"
    return str(exc)


def traceback_text(exc: BaseException, redact: Redactor) -> str:
    """A traceback for DEBUG logs: the frames of each chained exception and a summary of each
    (`exception_summary`), redacted. Never a response body."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    parts = []
    for position, item in enumerate(reversed(chain)):
        if position:
            parts.append("\nwhich led to:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(item.__traceback__))
        parts.append(f"{type(item).__module__}.{type(item).__qualname__}: {exception_summary(item)}\n")
    return redact("".join(parts)).rstrip("\n")


class LogRedaction(logging.Filter):
    """Installed on every log handler (cli): each record's message, traceback and stack pass the
    redactor, URLs lose their userinfo, and a traceback is `traceback_text` (no response body).
    `redactor` is set once the settings are known."""

    def __init__(self, redactor: Redactor | None = None) -> None:
        super().__init__()
        self.redactor = redactor or Redactor()

    def scrub(self, text: str) -> str:
        return _USERINFO.sub(r"\1", self.redactor(text))

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format: keep the text, without its arguments
            message = str(record.msg)
        record.msg, record.args = self.scrub(message), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = _USERINFO.sub(r"\1", traceback_text(record.exc_info[1], self.redactor))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)
        return True
