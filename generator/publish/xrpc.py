"""A small XRPC client: the AT Protocol's HTTP calls, over the standard library.

Publishing a thread needs five calls (createSession, uploadBlob, createRecord,
getRecord, and the reads behind them), each a JSON POST or GET under
`SERVICE/xrpc/NSID`; `urllib.request` does that without a new dependency or
an SDK's start-up cost. It is imported only when `masthead publish` runs.

Every failure becomes an `XrpcError`: the server's own error name and
message (made fit for one line: it is not ours to trust), or why the server
could not be reached. A 429 (rate limited) is waited out as its
`RateLimit-Reset` header says when that is at most `max_wait` seconds away,
and retried; otherwise it is an error like any other.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from generator.publish.remote import is_loopback, one_line

TIMEOUT = 30.0  # seconds a server may take to answer one call
MAX_WAIT = 60.0  # seconds a rate limit is waited out, at most, per call


class XrpcError(Exception):
    """A call that failed. `status` is the HTTP status (0: no answer at all),
    `error` the XRPC error name, `message` what the server or network said."""

    def __init__(
        self, method: str, status: int, error: str, message: str, rate_limited: bool = False
    ) -> None:
        super().__init__(method, status, error, message)
        self.method = method
        self.status = status
        self.error = error
        self.message = message
        self.rate_limited = rate_limited

    def __str__(self) -> str:
        said = ": ".join(part for part in (self.error, self.message) if part)
        return f"{self.status} {said}" if self.status else said


class Client:
    """Calls to one service (`https://bsky.social`, or a PDS), with a session's
    token once `token` is set."""

    def __init__(
        self,
        service: str,
        *,
        timeout: float = TIMEOUT,
        max_wait: float = MAX_WAIT,
        notice: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.service = service.rstrip("/")
        self.timeout = timeout
        self.max_wait = max_wait
        self.notice = notice
        self.sleep = sleep
        self.token: str | None = None

    def query(self, method: str, **params: str) -> dict[str, Any]:
        """A GET call (an XRPC query)."""
        return self._call(method, params=params)

    def procedure(
        self, method: str, body: dict[str, Any] | bytes, *, content_type: str | None = None
    ) -> dict[str, Any]:
        """A POST call (an XRPC procedure) with a JSON body, or raw bytes of
        `content_type` (a blob)."""
        if isinstance(body, bytes):
            return self._call(method, data=body, content_type=content_type)
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return self._call(method, data=data, content_type="application/json")

    def _call(
        self,
        method: str,
        *,
        params: dict[str, str] | None = None,
        data: bytes | None = None,
        content_type: str | None = None,
    ) -> dict[str, Any]:
        waited = 0.0
        while True:
            try:
                return self._once(method, params, data, content_type)
            except _RateLimited as limited:
                wait = limited.wait
                if wait is None or waited + wait > self.max_wait:
                    raise limited.error from None
                if self.notice:
                    self.notice(f"rate limited by {self.service}: waiting {wait:.0f} s")
                self.sleep(wait)
                waited += wait

    def _unreachable(self, method: str, reason: object) -> XrpcError:
        if isinstance(reason, TimeoutError):
            said = f"{self.service} did not answer within {self.timeout:g} s"
        else:
            text = reason.strerror if isinstance(reason, OSError) and reason.strerror else reason
            said = f"cannot reach {self.service} ({one_line(text)})"
        return XrpcError(method, 0, "", said)

    def _once(
        self,
        method: str,
        params: dict[str, str] | None,
        data: bytes | None,
        content_type: str | None,
    ) -> dict[str, Any]:
        import urllib.error
        import urllib.request

        url = f"{self.service}/xrpc/{method}"
        if params:
            url += "?" + urlencode(params)
        verb = "GET" if data is None else "POST"
        request = urllib.request.Request(url, data=data, method=verb)
        request.add_header("Accept", "application/json")
        request.add_header("User-Agent", _user_agent())
        if content_type:
            request.add_header("Content-Type", content_type)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with _opener(url).open(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            with exc:
                raw = _read_quietly(exc)
            error, message = _error_of(raw, exc.reason)
            failure = XrpcError(method, exc.code, error, message, exc.code == 429)
            if exc.code == 429:
                raise _RateLimited(failure, _reset_wait(exc.headers)) from None
            raise failure from None
        except urllib.error.URLError as exc:
            raise self._unreachable(method, exc.reason) from None
        except (OSError, ValueError) as exc:  # a timeout or reset mid-answer
            raise self._unreachable(method, exc) from None
        if not body:
            return {}
        try:
            answer = json.loads(body)
        except ValueError:
            raise XrpcError(method, 200, "", "the answer is not JSON") from None
        if not isinstance(answer, dict):
            raise XrpcError(method, 200, "", "the answer is not a JSON object")
        return answer


class _RateLimited(Exception):
    def __init__(self, error: XrpcError, wait: float | None) -> None:
        super().__init__(error)
        self.error = error
        self.wait = wait  # seconds until the limit resets; None: not said


def _reset_wait(headers: Any) -> float | None:
    """Seconds until `RateLimit-Reset` (epoch seconds, as Bluesky sends it)."""
    value = headers.get("RateLimit-Reset") if headers is not None else None
    try:
        reset = float(value)
    except (TypeError, ValueError):
        return None
    return max(reset - time.time(), 0.0) + 0.5  # + the part of a second the header drops


def _read_quietly(exc: Any) -> bytes:
    try:
        return exc.read(64 * 1024)
    except OSError:
        return b""


def _error_of(raw: bytes, reason: object) -> tuple[str, str]:
    """The XRPC error name and message in an error answer (JSON, per the
    spec), or the HTTP reason when there is none (a proxy's page)."""
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if isinstance(data, dict):
        return one_line(data.get("error") or ""), one_line(data.get("message") or "")
    return "", one_line(reason)


def _user_agent() -> str:
    from generator import __version__

    return f"masthead/{__version__}"


def _opener(url: str) -> Any:
    """An opener that follows no redirect (a token or password is never sent
    on to an address the user did not give), and that goes through the
    `https_proxy` of the environment except to this machine itself."""
    import urllib.request
    from urllib.parse import urlsplit

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    handlers: list[Any] = [NoRedirect]
    if is_loopback(urlsplit(url).hostname or ""):
        handlers.append(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(*handlers)
