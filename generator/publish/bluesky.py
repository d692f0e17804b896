"""Posting an article's Bluesky thread: `masthead publish bluesky ARTICLE`.

The posts are the thread channel's, exactly as `masthead thread --platform
bluesky --format json` gives them (`build_thread` + `to_dict`): the text as
shown, with its link and hashtag facets (byte offsets). This module only
turns each into an `app.bsky.feed.post` record (the first post, then each
next as a reply to it, with `reply.root` and `reply.parent`; `langs` from the
article; the article image, when it is a local file, on the first post) and
creates the records, in order, through XRPC (`generator.publish.xrpc`).

What makes it safe to run again, at any time:
- The publish log (`generator.publish.log`) is written after every post. A
  finished thread is never posted again; a stopped one goes on from the
  first post that is not live, as a reply to the last one that is.
- Each post's record key is chosen, and logged, before it is created. If the
  answer is lost (the network, a killed run), the next run finds the post
  under that key instead of posting it a second time.
- A thread whose live posts no longer match the article (it was edited) is
  not continued: the new posts would not follow from the live ones.

The app password comes only from MASTHEAD_BLUESKY_PASSWORD, and goes only to
an https service, or plain http on this machine (the test PDS).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.config import Config, bluesky_handle_problem
from generator.errors import MastheadError
from generator.model import Article
from generator.publish.images import LocalImage, load, local_path
from generator.publish.log import Entry, Posted, PublishLog, locked
from generator.text.urls import UrlError, article_link, http_url

PLATFORM = "bluesky"
DEFAULT_SERVICE = "https://bsky.social"
HANDLE_ENV = "MASTHEAD_BLUESKY_HANDLE"
PASSWORD_ENV = "MASTHEAD_BLUESKY_PASSWORD"
SERVICE_ENV = "MASTHEAD_BLUESKY_SERVICE"
POST = "app.bsky.feed.post"
APP_URL = "https://bsky.app"

Notice = Callable[[str], None]


class PublishError(MastheadError):
    """Nothing more was posted; the message says what is live and what to do."""


# --- the account ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Account:
    service: str
    handle: str  # "" when none was given (enough for --dry-run)
    password: str = field(default="", repr=False)
    service_from: str = "the default"  # where the service came from, for messages


def account(
    config: Config,
    *,
    service: str | None,
    handle: str | None,
    environ: Mapping[str, str],
) -> Account:
    """The service, handle and app password to publish with. A flag wins over
    the environment, the environment over the config file; the password is
    read from the environment alone."""
    config_name = str(config.path) if config.path else "the config"
    sources = [
        (service, "--service"),
        (environ.get(SERVICE_ENV), SERVICE_ENV),
        (config.bluesky.service, f"[bluesky] service in {config_name}"),
    ]
    chosen, source = next(((v, s) for v, s in sources if v), (DEFAULT_SERVICE, "the default"))
    url = service_url(chosen, source)
    names = [
        (handle, "--handle"),
        (environ.get(HANDLE_ENV), HANDLE_ENV),
        (config.bluesky.handle, f"[bluesky] handle in {config_name}"),
    ]
    name, named_by = next(((v, s) for v, s in names if v), ("", ""))
    if name and (problem := bluesky_handle_problem(name)):
        raise PublishError(f"the handle {name!r} from {named_by} {problem}")
    return Account(url, name.removeprefix("@").lower(), environ.get(PASSWORD_ENV, ""), source)


def service_url(value: str, source: str) -> str:
    """`value` as the service's address: https, or http only to this machine
    (where nothing travels over a network), so an app password is never sent
    in clear."""
    from generator.publish.remote import is_loopback

    try:
        url = http_url(value)
    except UrlError as exc:
        raise PublishError(f"the Bluesky service {value!r} from {source}: {exc}") from None
    parts = urlsplit(url)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise PublishError(
            f"the Bluesky service {value!r} from {source} must be the server's address "
            f"alone, like {DEFAULT_SERVICE}"
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname or ""):
        raise PublishError(
            f"refusing to send the app password to {url} without TLS (from {source}): "
            "use its https:// address (plain http is only for a server on this machine)"
        )
    return f"{parts.scheme}://{parts.netloc}"


# --- the records ------------------------------------------------------------------


def thread_posts(article: Article, config: Config) -> list[dict[str, Any]]:
    """The posts as `masthead thread --platform bluesky --format json` gives them."""
    from generator.channels.thread import build_thread, to_dict

    thread = build_thread(article, PLATFORM, config, limit=config.limits.bluesky)
    return to_dict(thread)["posts"]


@dataclass(frozen=True, slots=True)
class Ref:
    """A strong reference to a post: its URI and CID."""

    uri: str
    cid: str

    def as_dict(self) -> dict[str, str]:
        return {"uri": self.uri, "cid": self.cid}


def post_record(
    post: dict[str, Any],
    *,
    lang: str,
    created_at: str,
    root: Ref | None = None,
    parent: Ref | None = None,
    embed: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The `app.bsky.feed.post` record of one post of the thread JSON."""
    record: dict[str, Any] = {"$type": POST, "text": post["text"]}
    if post.get("facets"):
        record["facets"] = post["facets"]
    if root is not None and parent is not None:
        record["reply"] = {"root": root.as_dict(), "parent": parent.as_dict()}
    if embed is not None:
        record["embed"] = embed
    record["langs"] = [lang]
    record["createdAt"] = created_at
    return record


def image_embed(image: LocalImage, cid: str) -> dict[str, Any]:
    """The `app.bsky.embed.images` of the uploaded image (its blob's `cid`)."""
    entry: dict[str, Any] = {
        "alt": image.alt,
        "image": {
            "$type": "blob",
            "ref": {"$link": cid},
            "mimeType": image.mime,
            "size": len(image.data),
        },
    }
    if image.size:
        entry["aspectRatio"] = {"width": image.size[0], "height": image.size[1]}
    return {"$type": "app.bsky.embed.images", "images": [entry]}


def article_image(
    article: Article, article_path: Path, config: Config, notice: Notice
) -> LocalImage | None:
    """The article's image when it is a local file; a remote one is left out,
    with a note."""
    if not article.image:
        return None
    page = article_link(article.url, config.site_url, article.slug)
    path = local_path(article.image, page, article_path.parent)
    if path is None:
        notice(
            f"note: the article image {article.image} is not a file beside the article, "
            "so the first post goes out without it (Bluesky needs the image uploaded)"
        )
        return None
    return load(path, article.image_alt or "")


def created_at() -> str:
    from generator.clock import now

    return now().isoformat(timespec="milliseconds").replace("+00:00", "Z")


_TID_DIGITS = "234567abcdefghijklmnopqrstuvwxyz"
_CLOCK_ID = secrets.randbelow(1024)
_last_tid = [0]


def new_tid() -> str:
    """A fresh record key: a TID (microseconds since 1970 and a clock id, in
    base32-sortable), as Bluesky keys posts; later ones sort after."""
    micros = max(time.time_ns() // 1000, _last_tid[0] + 1)
    _last_tid[0] = micros
    value = (micros << 10) | _CLOCK_ID
    return "".join(_TID_DIGITS[(value >> shift) & 31] for shift in range(60, -1, -5))


# --- where it went ------------------------------------------------------------------


def app_url(handle: str, uri: str) -> str:
    """The post's address in the Bluesky app."""
    return f"{APP_URL}/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}"


def _live(entry: Entry) -> str:
    count = len(entry.posts)
    if count == 0:
        return "nothing was posted"
    first = entry.posts[0].uri
    noun = "post is" if count == 1 else "posts are"
    return f"{count} {noun} live ({app_url(entry.handle, first)}, {first})"


def _changed(entry: Entry, posts: list[dict[str, Any]]) -> int | None:
    """The number of the first live post that the thread no longer has as
    it went out (its text or its facets changed), or None."""
    for number, (live, post) in enumerate(zip(entry.posts, posts, strict=False), start=1):
        if live.text != post["text"] or list(live.facets) != list(post.get("facets", [])):
            return number
    if len(entry.posts) > len(posts):
        return len(posts) + 1
    return None


def _refuse_changed(entry: Entry, number: int, log: Path) -> PublishError:
    return PublishError(
        f"the thread has changed since it was partly posted: post {number} is no longer "
        f"what went out, and the rest would not follow from it ({_live(entry)}). "
        "Restore the article as it was to post the rest; or delete the live posts on "
        f"Bluesky and remove this article's entry from {log} to post the new thread"
    )


# --- publishing ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    url: str  # the first post in the Bluesky app
    uri: str  # the first post's at:// URI
    posted: int  # posts created by this run
    total: int  # posts of the thread
    already: bool  # the thread was live before this run


def dry_run(
    article: Article,
    article_path: Path,
    config: Config,
    who: Account,
    log_path: Path,
    guid: str,
    notice: Notice,
) -> list[dict[str, Any]]:
    """The records a real run would create now, contacting no server. What
    is not known before posting (the account's DID, the new posts' URIs and
    CIDs) is a placeholder in parentheses."""
    posts = thread_posts(article, config)
    entry = PublishLog.read(log_path).get(guid, PLATFORM)
    if entry is not None and entry.complete:
        notice(f"already published: {_live(entry)}; a real run posts nothing")
        return []
    live = entry.posts if entry is not None else ()
    if entry is not None:
        if (number := _changed(entry, posts)) is not None:
            raise _refuse_changed(entry, number, log_path)
        if entry.pending:
            notice(
                f"post {len(live) + 1} may be live already (a run stopped while posting it); "
                "a real run looks for it first"
            )
    did = entry.did if entry is not None else "(your DID)"
    refs = [Ref(p.uri, p.cid) for p in live]
    records = []
    for number, post in enumerate(posts, start=1):
        if number <= len(live):
            continue
        embed = None
        if number == 1 and (image := article_image(article, article_path, config, notice)):
            embed = image_embed(image, image.cid)
            notice(f"would upload {image.path} ({image.mime}, {len(image.data):,} bytes)")
        record = post_record(
            post,
            lang=article.lang,
            created_at=created_at(),
            root=refs[0] if number > 1 else None,
            parent=refs[-1] if number > 1 else None,
            embed=embed,
        )
        records.append(record)
        refs.append(Ref(f"at://{did}/{POST}/(post {number})", f"(cid of post {number})"))
    notice(
        f"dry run: {len(records)} post(s) for {who.handle or '(no handle set)'} on "
        f"{who.service}; nothing was sent"
    )
    return records


def publish(
    article: Article,
    article_path: Path,
    config: Config,
    who: Account,
    log_path: Path,
    guid: str,
    notice: Notice,
    *,
    max_wait: float | None = None,
) -> Outcome:
    """Post the article's thread, or what of it is not live yet."""
    from generator.publish.xrpc import MAX_WAIT, Client

    posts = thread_posts(article, config)
    with locked(log_path):
        log = PublishLog.read(log_path)
        entry = log.get(guid, PLATFORM)
        if entry is not None and entry.complete:
            if who.handle and who.handle not in (entry.handle, entry.did):
                raise _other_account(entry, who, log_path)
            if _changed(entry, posts) is not None:
                notice(
                    "note: the article has changed since its thread was posted; the thread "
                    "on Bluesky stays as it went out"
                )
            first = entry.posts[0]
            notice(f"already published on Bluesky ({len(entry.posts)} posts); nothing posted")
            return Outcome(app_url(entry.handle, first.uri), first.uri, 0, len(entry.posts), True)
        if not who.handle:
            raise PublishError(
                "no Bluesky handle: pass --handle, set MASTHEAD_BLUESKY_HANDLE, or set "
                "[bluesky] handle in masthead.toml"
            )
        if not who.password:
            raise PublishError(
                f"no app password: set {PASSWORD_ENV} to an app password of {who.handle} "
                "(Bluesky: Settings > Privacy and security > App passwords); it is never "
                "read from a flag or the config file"
            )
        wait = MAX_WAIT if max_wait is None else max_wait
        client = Client(who.service, notice=notice, max_wait=wait)
        did, handle = _login(client, who)
        if entry is not None and entry.did != did:
            raise _other_account(entry, who, log_path)
        entry = entry or Entry(who.service, did, handle)
        entry = replace(entry, handle=handle)
        if entry.pending:
            entry = _settle(client, entry, log_path)
            log.put(guid, PLATFORM, entry)
        if (number := _changed(entry, posts)) is not None:
            raise _refuse_changed(entry, number, log_path)
        before = len(entry.posts)
        try:
            for number, post in enumerate(posts, start=1):
                if number <= len(entry.posts):
                    continue
                where = f"post {number} of {len(posts)}"
                embed = None
                if number == 1 and (image := article_image(article, article_path, config, notice)):
                    embed = image_embed(image, _upload(client, image, where, entry))
                refs = [Ref(p.uri, p.cid) for p in entry.posts]
                record = post_record(
                    post,
                    lang=article.lang,
                    created_at=created_at(),
                    root=refs[0] if refs else None,
                    parent=refs[-1] if refs else None,
                    embed=embed,
                )
                rkey = entry.pending or new_tid()
                entry = replace(entry, pending=rkey)
                log.put(guid, PLATFORM, entry)  # before the call: a lost answer is found later
                answer = _create(client, did, rkey, record, where, entry)
                facets = tuple(post.get("facets", []))
                entry = entry.with_post(Posted(answer["uri"], answer["cid"], post["text"], facets))
                log.put(guid, PLATFORM, entry)
                notice(f"posted {number}/{len(posts)}")
        except KeyboardInterrupt:  # Ctrl-C, or a SIGTERM the CLI turns into one
            raise _stopped("posting", "interrupted", entry) from None
        entry = replace(entry, complete=True)
        log.put(guid, PLATFORM, entry)
    first = entry.posts[0]
    made = len(entry.posts) - before
    return Outcome(app_url(entry.handle, first.uri), first.uri, made, len(posts), False)


def _other_account(entry: Entry, who: Account, log: Path) -> PublishError:
    return PublishError(
        f"{log} says this thread was posted as {entry.handle} ({entry.did}), not "
        f"{who.handle}; to post it from another account too, give that run its own --log FILE"
    )


def _login(client: Any, who: Account) -> tuple[str, str]:
    """Open a session; the account's DID and handle."""
    from generator.publish.xrpc import XrpcError

    try:
        session = client.procedure(
            "com.atproto.server.createSession",
            {"identifier": who.handle, "password": who.password},
        )
    except XrpcError as exc:
        if exc.status in (400, 401):
            raise PublishError(
                f"Bluesky ({who.service}) refused the login as {who.handle} ({exc}); check "
                f"the handle and {PASSWORD_ENV} (an app password of that account); nothing "
                "was posted"
            ) from None
        raise PublishError(
            f"cannot log in to Bluesky at {who.service} (from {who.service_from}): {exc}; "
            "nothing was posted"
        ) from None
    did, handle, token = session.get("did"), session.get("handle"), session.get("accessJwt")
    if not (isinstance(did, str) and isinstance(token, str) and did.startswith("did:")):
        raise PublishError(f"{who.service} answered the login without a session; is it a PDS?")
    client.token = token
    return did, handle if isinstance(handle, str) and handle else who.handle


def _settle(client: Any, entry: Entry, log: Path) -> Entry:
    """The entry with its pending post as live when the server has it
    (created by a run whose answer was lost), else as it was."""
    from generator.publish.xrpc import XrpcError

    assert entry.pending is not None
    try:
        found = client.query(
            "com.atproto.repo.getRecord", repo=entry.did, collection=POST, rkey=entry.pending
        )
    except XrpcError as exc:
        if exc.status == 400 and exc.error == "RecordNotFound":
            return entry  # never created: post it under the same key
        raise PublishError(
            f"cannot tell whether post {len(entry.posts) + 1} went out before the last run "
            f"stopped ({exc}); {_live(entry)}. Run the same command again later"
        ) from None
    value = found.get("value") if isinstance(found.get("value"), dict) else {}
    uri, cid = found.get("uri"), found.get("cid")
    if not (isinstance(uri, str) and isinstance(cid, str)):
        raise PublishError(f"{client.service} answered getRecord without a URI and CID")
    return entry.with_post(
        Posted(uri, cid, str(value.get("text", "")), tuple(value.get("facets") or ()))
    )


def _upload(client: Any, image: LocalImage, where: str, entry: Entry) -> str:
    """Upload the image; the CID of its blob."""
    from generator.publish.xrpc import XrpcError

    try:
        answer = client.procedure(
            "com.atproto.repo.uploadBlob", image.data, content_type=image.mime
        )
    except XrpcError as exc:
        raise _stopped(f"uploading the image for {where}", exc, entry) from None
    blob = answer.get("blob")
    link = blob.get("ref", {}).get("$link") if isinstance(blob, dict) else None
    if not isinstance(link, str):
        raise _stopped(f"uploading the image for {where}", "no blob in the answer", entry)
    return link


def _create(
    client: Any, did: str, rkey: str, record: dict[str, Any], where: str, entry: Entry
) -> dict[str, str]:
    from generator.publish.xrpc import XrpcError

    try:
        answer = client.procedure(
            "com.atproto.repo.createRecord",
            {"repo": did, "collection": POST, "rkey": rkey, "record": record},
        )
    except XrpcError as exc:
        raise _stopped(where, exc, entry) from None
    if not (isinstance(answer.get("uri"), str) and isinstance(answer.get("cid"), str)):
        raise _stopped(where, "no URI and CID in the answer", entry)
    return answer


def _stopped(what: str, why: object, entry: Entry) -> PublishError:
    more = (
        f"run the same command again to post the rest, as replies to post {len(entry.posts)}"
        if entry.posts
        else "run the same command again to post it"
    )
    return PublishError(f"{what} failed ({why}); {_live(entry)}: {more}")
