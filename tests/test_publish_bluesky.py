"""`masthead publish bluesky`, against the reference Bluesky PDS.

The server is real: `tests/pds/pds.mjs` runs @atproto/dev-env's
TestNetworkNoAppView (the PDS and a PLC directory Bluesky publishes) on
loopback, once for this module. Each test gets an account of its own, made
here over plain XRPC, and reads what was posted back from the PDS with
`com.atproto.repo.listRecords` and `com.atproto.sync.getBlob`; the CLI runs as
a subprocess with its credentials in the environment, as a user runs it.

Failures come from a real HTTP proxy on loopback between the CLI and the PDS
(`Proxy`): it forwards every call, except the one a test makes fail (a 502,
a 429 with RateLimit-Reset, or a 502 after the PDS has done the work). The
proxy never answers for the PDS.

Without Node.js or the installed packages (`npm ci --prefix tests/pds`),
these tests skip locally and fail under CI (CI=true).
"""

from __future__ import annotations

import contextlib
import fcntl
import http.client
import itertools
import json
import os
import secrets
import select
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import MASTHEAD, PYTHON

ROOT = Path(__file__).resolve().parent.parent
PDS_DIR = ROOT / "tests" / "pds"
PDS_SCRIPT = PDS_DIR / "pds.mjs"
START_TIMEOUT = 120.0  # the PDS starts in seconds; generous for a loaded CI machine
RUN_TIMEOUT = 120.0
COVER_SIZE = (12, 8)

ARTICLE = """\
---
title: "Les abeilles de Montréal : un été à 40 ruches"
dek: "Sur les toits de la ville, des apiculteurs amateurs récoltent plus de miel qu'à la campagne — voici pourquoi."
url: https://example.com/posts/abeilles/
image: {image}
image_alt: "Une ruche sur un toit, vue d'en haut, près d'un château d'eau"
tags: [apiculture, villes durables]
lang: fr
date: 2026-03-03
---

Cet été, quarante ruches ont passé la saison sur les toits du Plateau. Le
[rapport complet](https://example.com/rapport-été-2026) détaille la récolte, ruche par ruche.

## Ce qu'il faut retenir

- Une ruche urbaine a donné 18 kg de miel en moyenne, contre 12 kg à la campagne.
- Les tilleuls et les trèfles des ruelles nourrissent les abeilles jusqu'en octobre.
- Aucune plainte des voisins n'a été reçue de toute la saison.

## Sur le terrain

> « On croyait que la ville serait hostile ; c'est l'inverse. »
> — Élise Tremblay, apicultrice

Les pesticides, interdits en ville depuis 2004, expliquent une part de l'écart.

## Pourquoi c'est important

Les pollinisateurs déclinent partout ; les villes peuvent devenir un refuge.
"""
ALT = "Une ruche sur un toit, vue d'en haut, près d'un château d'eau"


# --- the server --------------------------------------------------------------------


def _unavailable() -> str | None:
    if shutil.which("node") is None:
        return "Node.js is not installed (apt-get install nodejs npm)"
    if not (PDS_DIR / "node_modules" / "@atproto" / "dev-env" / "package.json").is_file():
        return "the test PDS is not installed (npm ci --prefix tests/pds)"
    return None


@dataclass(frozen=True)
class Pds:
    service: str  # http://localhost:PORT

    def get(self, method: str, **params: str) -> dict[str, Any]:
        url = f"{self.service}/xrpc/{method}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())

    def blob(self, did: str, cid: str) -> bytes:
        url = f"{self.service}/xrpc/com.atproto.sync.getBlob?did={did}&cid={cid}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read()

    def post(self, method: str, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self.service}/xrpc/{method}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def posts(self, did: str) -> list[dict[str, Any]]:
        """Every post of the account, oldest first (record keys are TIDs)."""
        answer = self.get(
            "com.atproto.repo.listRecords", repo=did, collection="app.bsky.feed.post", limit="100"
        )
        return sorted(answer["records"], key=lambda r: r["uri"].rsplit("/", 1)[1])


@pytest.fixture(scope="module")
def pds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pds]:
    reason = _unavailable()
    if reason:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"the publish tests need the test PDS under CI: {reason}")
        pytest.skip(reason)
    process = subprocess.Popen(
        ["node", str(PDS_SCRIPT)],
        cwd=PDS_DIR,
        # The PDS keeps its database and blobs under the temporary folder.
        env={**os.environ, "TMPDIR": str(tmp_path_factory.mktemp("pds"))},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT)
        line = process.stdout.readline() if ready else ""
        if not line:
            process.kill()
            pytest.fail(f"the test PDS did not start:\n{process.stderr.read()[-3000:]}")
        yield Pds(json.loads(line)["service"])
    finally:
        if process.stdin:
            process.stdin.close()  # the script stops the servers and exits
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class User:
    handle: str
    did: str
    password: str  # an app password


@pytest.fixture
def user(pds: Pds) -> User:
    """A new account on the PDS, with an app password, for one test."""
    handle = f"u{secrets.token_hex(4)}.test"
    account = pds.post(
        "com.atproto.server.createAccount",
        {"handle": handle, "email": f"{handle}@example.com", "password": secrets.token_hex(12)},
    )
    app = pds.post(
        "com.atproto.server.createAppPassword", {"name": "masthead"}, account["accessJwt"]
    )
    return User(handle, account["did"], app["password"])


# --- the article and the CLI ------------------------------------------------------------


def png(width: int, height: int) -> bytes:
    """A small real PNG, written here (no image library shared with Masthead)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes((200, 120, 20)) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def article(tmp_path: Path) -> Path:
    folder = tmp_path / "abeilles"
    folder.mkdir()
    (folder / "cover.png").write_bytes(png(*COVER_SIZE))
    path = folder / "index.md"
    path.write_text(ARTICLE.format(image="cover.png"), encoding="utf-8")
    return path


def masthead(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MASTHEAD_")}
    clean.pop("SOURCE_DATE_EPOCH", None)
    return subprocess.run(
        [*MASTHEAD, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**clean, **(env or {})},
        timeout=RUN_TIMEOUT,
    )


def credentials(user: User, service: str) -> dict[str, str]:
    return {
        "MASTHEAD_BLUESKY_HANDLE": user.handle,
        "MASTHEAD_BLUESKY_PASSWORD": user.password,
        "MASTHEAD_BLUESKY_SERVICE": service,
    }


def thread_json(path: Path) -> list[dict[str, Any]]:
    result = masthead("thread", "--platform", "bluesky", "--format", "json", path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["posts"]


def one_error_line(result: subprocess.CompletedProcess[str], *, after: int = 0) -> str:
    """The one `error:` line of a failed run, its last line, after `after`
    lines of progress ("posted 1/7")."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == after + 1, result.stderr
    assert all(line.startswith("posted ") for line in lines[:after]), result.stderr
    assert lines[-1].startswith("error: ")
    return lines[-1]


def free_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- a failing proxy ------------------------------------------------------------------------

# What the proxy does with the Nth call of a method: forward it (None);
# ("instead", status, headers): answer that itself, without forwarding;
# ("after", status, headers): forward it, then answer that instead of the
# PDS's answer; ("hold", 0, {}): tell `held`, wait for `release`, then forward.
Rule = Callable[[str, int], "tuple[str, int, dict[str, str]] | None"]


@dataclass
class Gate:
    held: threading.Event
    release: threading.Event


@contextlib.contextmanager
def proxy(pds: Pds, rule: Rule, gate: Gate | None = None) -> Iterator[str]:
    """A loopback HTTP proxy in front of the PDS; yields its address."""
    target = urllib.parse.urlsplit(pds.service)
    counts: dict[str, int] = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _relay(self) -> None:
            method = urllib.parse.urlsplit(self.path).path.rsplit("/", 1)[-1]
            with lock:
                counts[method] = counts.get(method, 0) + 1
                action = rule(method, counts[method])
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if action is not None and action[0] == "hold" and gate is not None:
                gate.held.set()
                gate.release.wait(timeout=RUN_TIMEOUT)
                action = None
            if action is None or action[0] == "after":
                upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
                upstream.close()
                if action is None:
                    with contextlib.suppress(OSError):  # the client may be gone
                        self._answer(answer.status, answer.getheaders(), data)
                    return
            _, status, headers = action
            data = json.dumps({"error": "ProxyError", "message": f"proxy says {status}"}).encode()
            self._answer(status, [*headers.items(), ("Content-Type", "application/json")], data)

        def _answer(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
            self.send_response(status)
            for key, value in headers:
                if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = _relay
        do_POST = _relay

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def on_create(number: int, action: tuple[str, int, dict[str, str]]) -> Rule:
    """`action` on the `number`th createRecord, every other call forwarded."""

    def rule(method: str, count: int) -> tuple[str, int, dict[str, str]] | None:
        return action if method == "com.atproto.repo.createRecord" and count == number else None

    return rule


# --- the tests ------------------------------------------------------------------------------


def test_the_thread_is_posted_as_the_thread_json_gives_it(pds, user, article):
    expected = thread_json(article)
    assert len(expected) >= 5
    env = credentials(user, pds.service)
    preview = masthead("publish", "bluesky", article, "--dry-run", env=env)
    assert preview.returncode == 0, preview.stderr

    result = masthead("publish", "bluesky", article, env=env)
    assert result.returncode == 0, result.stderr

    posts = pds.posts(user.did)
    assert [p["value"]["text"] for p in posts] == [p["text"] for p in expected]
    first = posts[0]
    # The reply chain: each post answers the one before, all under the first.
    assert "reply" not in first["value"]
    for before, post in itertools.pairwise(posts):
        reply = post["value"]["reply"]
        assert reply["root"] == {"uri": first["uri"], "cid": first["cid"]}
        assert reply["parent"] == {"uri": before["uri"], "cid": before["cid"]}
    for post, wanted in zip(posts, expected, strict=True):
        value = post["value"]
        assert value["langs"] == ["fr"]
        assert value.get("facets", []) == wanted["facets"]
        assert value["createdAt"].endswith("Z")
    # The facets select exactly the link's text and each hashtag, in UTF-8 bytes
    # (an emoji and accented letters come before them, so bytes are not characters).
    links, tags, shifted = [], {}, []
    for post in posts:
        text = post["value"]["text"]
        raw = text.encode("utf-8")
        for facet in post["value"].get("facets", []):
            start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
            shown, (feature,) = raw[start:end].decode("utf-8"), facet["features"]
            shifted.append(len(raw[:start].decode("utf-8")) != start)
            if "uri" in feature:
                links.append((shown, feature["uri"]))
            else:
                tags[shown] = feature["tag"]
    assert any(shifted)
    # The link as the app shows it: the address without its scheme, a long one cut.
    assert links == [("example.com/posts/abeill...", "https://example.com/posts/abeilles/")]
    assert tags == {"#apiculture": "apiculture", "#VillesDurables": "VillesDurables"}
    # The image, with its alt text, on the first post only.
    embed = first["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    (image,) = embed["images"]
    assert image["alt"] == ALT
    assert image["aspectRatio"] == {"width": COVER_SIZE[0], "height": COVER_SIZE[1]}
    assert image["image"]["mimeType"] == "image/png"
    cid = image["image"]["ref"]["$link"]
    assert pds.blob(user.did, cid) == (article.parent / "cover.png").read_bytes()
    assert all("embed" not in p["value"] for p in posts[1:])
    # The dry run showed these very records (but for what only posting tells).
    shown = json.loads(preview.stdout)
    assert len(shown) == len(posts)
    assert shown[0]["embed"] == embed  # the blob's CID, worked out before uploading
    for record, post in zip(shown, posts, strict=True):
        for key in ("text", "facets", "langs", "embed", "$type"):
            assert record.get(key) == post["value"].get(key)
    # The first post's addresses, in the app and as an at:// URI.
    rkey = first["uri"].rsplit("/", 1)[1]
    assert result.stdout.splitlines() == [
        f"https://bsky.app/profile/{user.handle}/post/{rkey}",
        first["uri"],
    ]
    log = json.loads((article.parent / ".masthead-published.json").read_text(encoding="utf-8"))
    entry = log["articles"]["https://example.com/posts/abeilles/"]["bluesky"]
    assert entry["complete"] is True
    assert [(p["uri"], p["cid"]) for p in entry["posts"]] == [(p["uri"], p["cid"]) for p in posts]


def test_a_second_run_posts_nothing_and_prints_the_address_again(pds, user, article):
    env = credentials(user, pds.service)
    first = masthead("publish", "bluesky", article, env=env)
    assert first.returncode == 0, first.stderr
    count = len(pds.posts(user.did))
    again = masthead("publish", "bluesky", article, env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout
    assert "nothing posted" in again.stderr
    assert len(pds.posts(user.did)) == count


def test_the_log_can_live_elsewhere(pds, user, article, tmp_path):
    log = tmp_path / "logs" / "bluesky.json"
    log.parent.mkdir()
    env = credentials(user, pds.service)
    first = masthead("publish", "bluesky", article, "--log", log, env=env)
    assert first.returncode == 0, first.stderr
    assert not (article.parent / ".masthead-published.json").exists()
    posted = json.loads(log.read_text(encoding="utf-8"))
    assert len(posted["articles"]["https://example.com/posts/abeilles/"]["bluesky"]["posts"]) == len(
        pds.posts(user.did)
    )
    again = masthead("publish", "bluesky", article, "--log", log, env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout
    assert len(pds.posts(user.did)) == len(thread_json(article))


def test_a_run_stopped_by_a_server_error_goes_on_where_it_stopped(pds, user, article):
    expected = thread_json(article)
    with proxy(pds, on_create(3, ("instead", 502, {}))) as address:
        stopped = masthead("publish", "bluesky", article, env=credentials(user, address))
    line = one_error_line(stopped, after=2)
    assert f"post 3 of {len(expected)} failed" in line
    assert "2 posts are live" in line
    live = pds.posts(user.did)
    assert len(live) == 2
    assert f"https://bsky.app/profile/{user.handle}/post/{live[0]['uri'].rsplit('/', 1)[1]}" in line

    resumed = masthead("publish", "bluesky", article, env=credentials(user, pds.service))
    assert resumed.returncode == 0, resumed.stderr
    posts = pds.posts(user.did)
    assert [p["value"]["text"] for p in posts] == [p["text"] for p in expected]
    assert posts[:2] == live
    assert posts[2]["value"]["reply"]["parent"]["uri"] == live[1]["uri"]
    assert posts[2]["value"]["reply"]["root"]["uri"] == live[0]["uri"]
    assert f"posted {len(expected) - 2} of {len(expected)}" in resumed.stderr


def test_a_post_whose_answer_was_lost_is_not_posted_again(pds, user, article):
    expected = thread_json(article)
    # The PDS creates post 3, but the CLI hears a 502: it cannot know.
    with proxy(pds, on_create(3, ("after", 502, {}))) as address:
        stopped = masthead("publish", "bluesky", article, env=credentials(user, address))
    assert "2 posts are live" in one_error_line(stopped, after=2)
    assert len(pds.posts(user.did)) == 3

    resumed = masthead("publish", "bluesky", article, env=credentials(user, pds.service))
    assert resumed.returncode == 0, resumed.stderr
    texts = [p["value"]["text"] for p in pds.posts(user.did)]
    assert texts == [p["text"] for p in expected]  # post 3 once, not twice


def test_a_run_killed_while_posting_goes_on_without_a_duplicate(pds, user, article):
    expected = thread_json(article)
    gate = Gate(threading.Event(), threading.Event())
    with proxy(pds, on_create(3, ("hold", 0, {})), gate) as address:
        run = subprocess.Popen(
            [*MASTHEAD, "publish", "bluesky", str(article)],
            cwd=ROOT,
            env={**os.environ, **credentials(user, address)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            # Post 3 is on its way: the run waits for its answer, and is stopped.
            assert gate.held.wait(timeout=RUN_TIMEOUT)
            run.send_signal(signal.SIGTERM)
            out, err = run.communicate(timeout=RUN_TIMEOUT)
        finally:
            gate.release.set()  # the PDS gets post 3 after all; nobody hears the answer
            if run.poll() is None:
                run.kill()
                run.wait()
    line = one_error_line(subprocess.CompletedProcess(run.args, run.returncode, out, err), after=2)
    assert "interrupted" in line
    assert "2 posts are live" in line
    # The proxy hands post 3 to the PDS on its own thread: wait until it is live.
    deadline = time.monotonic() + RUN_TIMEOUT
    while len(pds.posts(user.did)) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(pds.posts(user.did)) == 3

    resumed = masthead("publish", "bluesky", article, env=credentials(user, pds.service))
    assert resumed.returncode == 0, resumed.stderr
    texts = [p["value"]["text"] for p in pds.posts(user.did)]
    assert texts == [p["text"] for p in expected]


def test_a_short_rate_limit_is_waited_out(pds, user, article):
    expected = thread_json(article)
    reset = {"RateLimit-Reset": str(int(time.time()) + 1)}
    with proxy(pds, on_create(2, ("instead", 429, reset))) as address:
        result = masthead("publish", "bluesky", article, env=credentials(user, address))
    assert result.returncode == 0, result.stderr
    assert "rate limited" in result.stderr
    assert [p["value"]["text"] for p in pds.posts(user.did)] == [p["text"] for p in expected]


def test_a_long_rate_limit_stops_the_run_saying_what_is_live(pds, user, article):
    expected = thread_json(article)
    reset = {"RateLimit-Reset": str(int(time.time()) + 3600)}

    def always(method: str, count: int) -> tuple[str, int, dict[str, str]] | None:
        if method == "com.atproto.repo.createRecord" and count >= 2:
            return ("instead", 429, reset)
        return None

    with proxy(pds, always) as address:
        stopped = masthead("publish", "bluesky", article, env=credentials(user, address))
    line = one_error_line(stopped, after=1)
    assert "429" in line
    assert "1 post is live" in line
    assert len(pds.posts(user.did)) == 1
    resumed = masthead("publish", "bluesky", article, env=credentials(user, pds.service))
    assert resumed.returncode == 0, resumed.stderr
    assert [p["value"]["text"] for p in pds.posts(user.did)] == [p["text"] for p in expected]


# Small edits of the sample, each of one sentence; which posts each changes is
# the thread channel's business, so the tests ask it (`thread_json`).
EDITS = [
    ("Les pesticides, interdits", "Les pesticides, bannis"),
    ("c'est l'inverse", "c'est tout l'inverse"),
    ("Aucune plainte des voisins", "Pas une plainte des voisins"),
    ("les villes peuvent devenir", "les villes pourraient devenir"),
    ("Les tilleuls et les trèfles", "Les tilleuls et les pissenlits"),
]


def test_a_thread_that_changed_since_it_was_partly_posted_is_not_continued(pds, user, article):
    with proxy(pds, on_create(3, ("instead", 502, {}))) as address:
        masthead("publish", "bluesky", article, env=credentials(user, address))
    live = pds.posts(user.did)
    assert len(live) == 2
    # The title, in the first post, is edited: the live thread opens with the old one.
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("un été à 40 ruches", "un été, 40 ruches"), encoding="utf-8")
    assert thread_json(article)[0]["text"] != live[0]["value"]["text"]
    refused = masthead("publish", "bluesky", article, env=credentials(user, pds.service))
    line = one_error_line(refused)  # nothing posted: no progress
    assert "post 1 is no longer what went out" in line
    assert len(pds.posts(user.did)) == 2


def test_an_edit_after_the_live_posts_is_posted_as_edited(pds, user, article):
    before = thread_json(article)
    original = article.read_text(encoding="utf-8")
    for old, new in EDITS:  # the first edit that leaves posts 1 and 2 (and the count) alone
        article.write_text(original.replace(old, new), encoding="utf-8")
        after = thread_json(article)
        if len(after) == len(before) and after[:2] == before[:2] and after != before:
            break
    else:
        pytest.fail("no edit of the sample changes only posts after the second")
    article.write_text(original, encoding="utf-8")
    with proxy(pds, on_create(3, ("instead", 502, {}))) as address:
        masthead("publish", "bluesky", article, env=credentials(user, address))
    assert len(pds.posts(user.did)) == 2
    article.write_text(original.replace(old, new), encoding="utf-8")
    resumed = masthead("publish", "bluesky", article, env=credentials(user, pds.service))
    assert resumed.returncode == 0, resumed.stderr
    texts = [p["value"]["text"] for p in pds.posts(user.did)]
    assert texts == [p["text"] for p in after]
    assert texts != [p["text"] for p in before]


@pytest.mark.parametrize("wrong", ["password", "handle"])
def test_a_wrong_password_or_unknown_handle_is_one_error_line(pds, user, article, wrong):
    env = credentials(user, pds.service)
    if wrong == "password":
        env["MASTHEAD_BLUESKY_PASSWORD"] = "aaaa-bbbb-cccc-dddd"
    else:
        env["MASTHEAD_BLUESKY_HANDLE"] = "nobody-here.test"
    line = one_error_line(masthead("publish", "bluesky", article, env=env))
    assert "refused the login" in line
    assert "MASTHEAD_BLUESKY_PASSWORD" in line
    assert "Traceback" not in line
    assert pds.posts(user.did) == []
    assert not (article.parent / ".masthead-published.json").exists()


def test_a_server_that_is_down_is_one_error_line(article):
    env = {
        "MASTHEAD_BLUESKY_HANDLE": "someone.test",
        "MASTHEAD_BLUESKY_PASSWORD": "aaaa-bbbb-cccc-dddd",
    }
    service = f"http://127.0.0.1:{free_port()}"
    line = one_error_line(masthead("publish", "bluesky", article, "--service", service, env=env))
    assert f"cannot reach {service}" in line
    assert "nothing was posted" in line


def test_dry_run_contacts_no_server_and_needs_no_password(article):
    service = f"http://127.0.0.1:{free_port()}"  # nothing listens: any call would fail
    result = masthead(
        "publish", "bluesky", article, "--dry-run", "--service", service, "--handle", "me.test"
    )
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    expected = thread_json(article)
    assert [r["text"] for r in records] == [p["text"] for p in expected]
    assert [r.get("facets", []) for r in records] == [p["facets"] for p in expected]
    assert all(r["$type"] == "app.bsky.feed.post" and r["langs"] == ["fr"] for r in records)
    assert "reply" not in records[0]
    assert records[1]["reply"]["root"]["uri"] == "at://(your DID)/app.bsky.feed.post/(post 1)"
    assert records[2]["reply"]["parent"]["uri"] == "at://(your DID)/app.bsky.feed.post/(post 2)"
    assert records[0]["embed"]["images"][0]["alt"] == ALT
    assert "nothing was sent" in result.stderr
    assert not (article.parent / ".masthead-published.json").exists()


def test_a_remote_image_is_left_out_with_a_note(tmp_path):
    path = tmp_path / "remote.md"
    path.write_text(ARTICLE.format(image="https://cdn.example.com/ruche.png"), encoding="utf-8")
    result = masthead("publish", "bluesky", path, "--dry-run", "--handle", "me.test")
    assert result.returncode == 0, result.stderr
    assert "embed" not in json.loads(result.stdout)[0]
    assert "note: the article image https://cdn.example.com/ruche.png" in result.stderr


def test_a_relative_image_that_is_not_beside_the_article_is_remote(tmp_path):
    path = tmp_path / "missing.md"
    path.write_text(ARTICLE.format(image="cover.png"), encoding="utf-8")  # no cover.png here
    result = masthead("publish", "bluesky", path, "--dry-run", "--handle", "me.test")
    assert result.returncode == 0, result.stderr
    assert "embed" not in json.loads(result.stdout)[0]
    assert "https://example.com/posts/abeilles/cover.png is not a file" in result.stderr


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF8" + b"\x00" * 20, "is not a PNG, JPEG, GIF or WebP file"),
        (png(1, 1) + b"\x00" * 1_000_000, "Bluesky takes images of at most 1,000,000 bytes"),
    ],
    ids=["not-an-image", "too-big"],
)
def test_an_image_bluesky_cannot_take_stops_before_anything_is_sent(article, data, message):
    (article.parent / "cover.png").write_bytes(data)
    line = one_error_line(
        masthead("publish", "bluesky", article, "--dry-run", "--handle", "me.test")
    )
    assert message in line
    assert str(article.parent / "cover.png") in line


def test_the_password_is_never_read_from_the_config(tmp_path, article):
    config = tmp_path / "masthead.toml"
    config.write_text('[bluesky]\nhandle = "me.test"\npassword = "hunter2"\n', encoding="utf-8")
    line = one_error_line(masthead("publish", "bluesky", article, "--dry-run", "-c", config))
    assert f"{config}:3:" in line
    assert "MASTHEAD_BLUESKY_PASSWORD" in line
    assert "hunter2" not in line


def test_handle_and_service_come_from_the_config(tmp_path, article):
    config = tmp_path / "masthead.toml"
    config.write_text(
        '[bluesky]\nhandle = "@From.Config.test"\nservice = "http://127.0.0.1:9"\n',
        encoding="utf-8",
    )
    result = masthead("publish", "bluesky", article, "--dry-run", "-c", config)
    assert result.returncode == 0, result.stderr
    assert "for from.config.test on http://127.0.0.1:9;" in result.stderr
    # The environment wins over the config, a flag over both.
    env = {"MASTHEAD_BLUESKY_SERVICE": "http://localhost:8", "MASTHEAD_BLUESKY_HANDLE": "env.test"}
    result = masthead("publish", "bluesky", article, "--dry-run", "-c", config, env=env)
    assert "for env.test on http://localhost:8;" in result.stderr
    result = masthead(
        "publish", "bluesky", article, "--dry-run", "-c", config, "--handle", "flag.test", env=env
    )
    assert "for flag.test on http://localhost:8;" in result.stderr


@pytest.mark.parametrize(
    # .invalid never resolves, and 0.0.0.0 is this machine but no loopback address:
    # were the rule broken, nothing would leave the machine.
    "service",
    ["http://bsky.invalid", "http://pds.example.invalid:2583", "http://0.0.0.0:9"],
)
def test_plain_http_is_refused_but_on_this_machine(article, service):
    env = {"MASTHEAD_BLUESKY_HANDLE": "me.test", "MASTHEAD_BLUESKY_PASSWORD": "a-b-c-d"}
    line = one_error_line(masthead("publish", "bluesky", article, "--service", service, env=env))
    assert "refusing to send the app password" in line
    assert "without TLS" in line


def test_no_password_is_an_error_naming_the_variable(article):
    service = f"http://127.0.0.1:{free_port()}"
    env = {"MASTHEAD_BLUESKY_HANDLE": "me.test"}
    line = one_error_line(masthead("publish", "bluesky", article, "--service", service, env=env))
    assert "MASTHEAD_BLUESKY_PASSWORD" in line


def test_a_second_run_at_the_same_time_is_refused(article):
    service = f"http://127.0.0.1:{free_port()}"
    env = {"MASTHEAD_BLUESKY_HANDLE": "me.test", "MASTHEAD_BLUESKY_PASSWORD": "a-b-c-d"}
    lock = article.parent / ".masthead-published.json.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a run that is publishing holds it
        line = one_error_line(
            masthead("publish", "bluesky", article, "--service", service, env=env)
        )
    finally:
        os.close(fd)
    assert "another `masthead publish` is using this publish log" in line


def test_a_feed_update_in_the_same_folder_does_not_block_publishing(article):
    # `feed add` locks the feed's folder; the publish log beside the article
    # must not take that lock for another publish run's.
    service = f"http://127.0.0.1:{free_port()}"  # nothing listens: the run gets past the lock
    env = {"MASTHEAD_BLUESKY_HANDLE": "me.test", "MASTHEAD_BLUESKY_PASSWORD": "a-b-c-d"}
    fd = os.open(article.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as feed add holds the folder of feed.xml
        line = one_error_line(
            masthead("publish", "bluesky", article, "--service", service, env=env)
        )
    finally:
        os.close(fd)
    assert "another `masthead publish`" not in line
    assert "cannot reach" in line or "127.0.0.1" in line


def test_a_draft_is_not_published(tmp_path):
    path = tmp_path / "draft.md"
    path.write_text(
        ARTICLE.format(image="cover.png").replace("lang: fr", "lang: fr\ndraft: true"),
        encoding="utf-8",
    )
    line = one_error_line(masthead("publish", "bluesky", path, "--dry-run", "--handle", "me.test"))
    assert "is a draft" in line


def test_help_lists_publish():
    result = masthead("--help")
    assert result.returncode == 0
    assert any(line.split()[:1] == ["publish"] for line in result.stdout.splitlines())


def test_other_commands_load_nothing_of_publishing():
    code = (
        "import sys, generator.cli; "
        "print(sorted(m for m in sys.modules if m.startswith("
        "('generator.publish', 'urllib.request', 'http.client', 'ssl'))))"
    )
    result = subprocess.run(
        [*PYTHON, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
