"""`masthead preview`: every channel of one article in the browser, live.

A small HTTP server bound to 127.0.0.1 serves one page with a tab per view
(the email at 600 and 375 px and in dark mode, the plain text, each thread,
LinkedIn, the RSS item and the check findings). A watcher re-renders when
the article, the config or a template changes; the page polls `/version`
and reloads itself. A parse error is shown on the page, and the server keeps
running. Only the routes below exist: anything else is a 404, so no path
can reach a file, and the email is shown in a sandboxed iframe.

Every view has a Copy button for what is pasted from it: the email's HTML
and text, each post, a whole thread, the RSS item. What it copies is what
`masthead render` writes (its `render_files`, byte for byte), and
`/email.eml` downloads render's .eml. The texts reach the page as JSON in a
`<script type="application/json">`, escaped so that no article text can end
that element or become markup.

Being bound to 127.0.0.1 is not enough: a web page can point a name it owns
at 127.0.0.1 (DNS rebinding) and read the draft as its own origin. Such a
request still names that host in its `Host` header, so every request must
name this server's own loopback address and port, or it gets a 403.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from markupsafe import Markup

from generator.config import Config, find_config, load_config
from generator.errors import MastheadError
from generator.resources import template_environment, templates_dir

POLL_SECONDS = 0.3

# A page of ours, or an email shown in a sandbox: neither may run a script
# that came from an article, nor load anything from elsewhere but images.
_EMAIL_CSP = "sandbox; default-src 'none'; img-src * data:; style-src 'unsafe-inline'"
_PAGE_CSP = (
    "default-src 'self'; img-src * data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; frame-src 'self'"
)

# The names a browser sends for a page it loaded from this server: the port
# is always in the header, since it is never 80 (127.0.0.1 is all we bind).
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
_FORBIDDEN = b"Forbidden: this preview answers only to 127.0.0.1, localhost or [::1] at its port.\n"

# A client that goes away mid-request (a reload, a closed tab, a killed curl)
# is not an error of ours: no traceback for it.
_HUNG_UP = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


@dataclass(frozen=True, slots=True)
class Download:
    """A file the page offers to save: its name, media type and bytes."""

    filename: str
    media_type: str
    body: bytes


@dataclass
class Snapshot:
    """One rendering of the article: the page, the framed documents, the
    files to download, the error."""

    version: int
    page: bytes
    frames: dict[str, bytes] = field(default_factory=dict)
    downloads: dict[str, Download] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Copy:
    """A Copy button: `key` names its text in the page's copy data, `label`
    is what the button says, `what` what it copies ("post 2 of 7 (X)")."""

    key: str
    label: str
    what: str


class Preview:
    """Renders the article and re-renders it when a watched file changes."""

    def __init__(
        self,
        article: Path,
        config_path: Path | None,
        input_format: str | None,
        theme: str | None = None,
    ) -> None:
        self.article = article
        self.theme = theme
        self.config_path = config_path
        self.input_format = input_format
        self.lock = threading.Lock()
        self.version = 0
        self.snapshot = self._render()
        self._stamp = self._stamps()

    def watched(self) -> list[Path]:
        paths = [self.article]
        config = self.config_path or find_config()
        if config:
            paths.append(config)
        paths += [p for p in templates_dir().rglob("*") if p.is_file()]
        try:
            override = load_config(self.config_path).templates_path()
        except MastheadError:
            override = None
        if override is not None and override.is_dir():
            paths += [p for p in override.rglob("*") if p.is_file()]
        return paths

    def _stamps(self) -> dict[Path, float]:
        stamps = {}
        for path in self.watched():
            try:
                stamps[path] = path.stat().st_mtime_ns
            except OSError:
                stamps[path] = -1
        return stamps

    def poll(self) -> bool:
        """Re-render if anything watched changed; True when it did."""
        stamps = self._stamps()
        if stamps == self._stamp:
            return False
        self._stamp = stamps
        from generator.resources import template_environment as env

        env.cache_clear()  # templates may have changed on disk
        snapshot = self._render()
        with self.lock:
            self.snapshot = snapshot
        return True

    def _render(self) -> Snapshot:
        self.version += 1
        try:
            config = load_config(self.config_path)
            return _render_views(self.article, config, self.input_format, self.version, self.theme)
        except MastheadError as exc:
            return _error_page(str(exc), self.version)


def _render_views(
    path: Path, config: Config, fmt: str | None, version: int, theme: str | None = None
) -> Snapshot:
    from generator.channels.email import build_email
    from generator.channels.rss.content import article_html
    from generator.channels.thread import build_thread
    from generator.check import check_article, check_config
    from generator.clock import now
    from generator.platforms import platforms
    from generator.readers import read_path
    from generator.render import Options, render_files, thread_file

    article = read_path(
        path,
        fmt=fmt,
        lang=config.lang,
        site_url=config.site_url,
        shortcodes=config.markdown.shortcodes,
    )
    email = build_email(article, config, theme=theme)
    image = _hook_image(article.image, article.image_alt)
    texts: dict[str, str] = {}
    threads: list[dict[str, Any]] = []
    made: list[str] = []
    for key, rules in platforms().items():
        entry: dict[str, Any] = {
            "key": key,
            "name": rules.name,
            "limit": rules.limit,
            "posts": [],
            "error": None,
            "whole": None,
            "alt": None,
        }
        try:
            thread = build_thread(article, key, config, limit=getattr(config.limits, key))
        except MastheadError as exc:
            entry["error"] = str(exc)
            threads.append(entry)
            continue
        made.append(key)
        total = len(thread.posts)
        for post in thread.posts:
            what = (
                f"post {post.index} of {total} ({rules.name})"
                if rules.thread
                else f"the {rules.name} post"
            )
            texts[f"{key}-{post.index}"] = post.text
            entry["posts"].append(
                {
                    "text": post.text,
                    "length": post.length,
                    "over": post.length > thread.limit,
                    # The hook carries the article's image (the thread JSON has none).
                    "image": image if post.index == 1 else None,
                    "button": Copy(f"{key}-{post.index}", "Copy", what),
                }
            )
        entry["limit"] = thread.limit
        if rules.thread:
            whole = f"the whole {rules.name} thread"
            entry["whole"] = Copy(f"{key}-all", "Copy whole thread", whole)
        if image and image["alt"]:
            texts[f"{key}-alt"] = image["alt"]
            alt = f"the image's alt text ({rules.name})"
            entry["alt"] = Copy(f"{key}-alt", "Copy alt text", alt)
        threads.append(entry)
    # What a button copies is what `masthead render` writes: the same
    # function makes both, so the two cannot drift apart.
    files, _ = render_files(
        article,
        config,
        Options(platforms=tuple(made), theme=theme, input_format=fmt),
        now=now(),
    )
    texts["email-html"] = files["email.html"].decode("utf-8")
    texts["email-text"] = files["email.txt"].decode("utf-8")
    texts["rss-item"] = files["item.xml"].decode("utf-8")
    for key in made:
        texts[f"{key}-all"] = files[thread_file(key)].decode("utf-8")
    eml_name = f"{_filename(article.slug)}.eml"
    findings = [*check_config(config), *check_article(article, config, str(path), email=email)]
    env = template_environment("preview", autoescape=True)
    page = env.get_template("page.html.j2").render(
        title=article.title,
        subject=email.subject,
        preheader=email.preheader,
        text=email.text,
        threads=threads,
        item=texts["rss-item"],
        findings=[f.as_line() for f in findings],
        version=version,
        error=None,
        copy_html=Copy("email-html", "Copy HTML", "the email's HTML"),
        copy_text=Copy("email-text", "Copy text", "the plain-text email"),
        copy_item=Copy("rss-item", "Copy item", "the RSS item"),
        eml_name=eml_name,
        copy_data=script_json(texts),
    )
    rss_doc = (
        '<!doctype html><html><head><meta charset="utf-8"><style>body{font:16px/1.6 '
        "system-ui,sans-serif;max-width:40em;margin:1em auto;padding:0 1em}</style></head>"
        f"<body>{article_html(article)}</body></html>"
    )
    html = texts["email-html"]
    return Snapshot(
        version=version,
        page=page.encode("utf-8"),
        frames={
            "/email.html": files["email.html"],
            "/email-dark.html": dark_mode(html).encode("utf-8"),
            "/rss.html": rss_doc.encode("utf-8"),
        },
        downloads={"/email.eml": Download(eml_name, "message/rfc822", files["email.eml"])},
    )


def _hook_image(src: str | None, alt: str | None) -> dict[str, str] | None:
    """The article's image for the hook post's card: an http(s) image only."""
    if not src or src.strip().partition(":")[0].lower() not in ("http", "https"):
        return None
    return {"src": src.strip(), "alt": alt or ""}


def _filename(slug: str) -> str:
    """`slug` as a download's file name: slugs are ASCII, but a header and a
    save dialog get only the safest characters."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", slug).strip(".-") or "email"


# Characters that could end the <script> element or open a comment in it
# ("</script>", "<!--"), or that old JavaScript parsers take for line ends.
_SCRIPT_UNSAFE = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)


def script_json(value: object) -> Markup:
    """`value` as JSON to put inside `<script type="application/json">`:
    JSON.parse reads it back exactly, and no text in it can end the element,
    start a comment or become markup."""
    return Markup(json.dumps(value, ensure_ascii=False).translate(_SCRIPT_UNSAFE))


_DARK_QUERY = re.compile(r"\(\s*prefers-color-scheme\s*:\s*dark\s*\)")


def dark_mode(html: str) -> str:
    """The email as a client in dark mode shows it: its dark-scheme styles on."""
    return _DARK_QUERY.sub("screen", html)


def _error_page(message: str, version: int) -> Snapshot:
    env = template_environment("preview", autoescape=True)
    page = env.get_template("page.html.j2").render(
        title="Error", error=message, version=version, threads=[], findings=[]
    )
    return Snapshot(version=version, page=page.encode("utf-8"), error=message)


def make_handler(preview: Preview) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "masthead-preview"
        sys_version = ""

        def parse_request(self) -> bool:
            """Every method and path: refuse a request that does not name us."""
            if not super().parse_request():
                return False
            port = self.server.server_address[1]
            hosts = self.headers.get_all("Host") or []
            if len(hosts) == 1 and hosts[0].strip().lower() in {
                f"{name}:{port}" for name in _LOOPBACK_NAMES
            }:
                return True
            self.close_connection = True
            self._send(_FORBIDDEN, "text/plain; charset=utf-8", status=HTTPStatus.FORBIDDEN)
            return False

        def do_GET(self) -> None:
            route = self.path.split("?", 1)[0]
            with preview.lock:
                snapshot = preview.snapshot
            if route == "/":
                self._send(snapshot.page, "text/html; charset=utf-8", _PAGE_CSP)
            elif route == "/version":
                body = json.dumps({"version": snapshot.version, "error": snapshot.error})
                self._send(body.encode(), "application/json")
            elif route in snapshot.frames:
                self._send(snapshot.frames[route], "text/html; charset=utf-8", _EMAIL_CSP)
            elif route in snapshot.downloads:
                download = snapshot.downloads[route]
                self._send(
                    download.body,
                    download.media_type,
                    _EMAIL_CSP,
                    attachment=download.filename,
                )
            else:
                self._send(b"Not found\n", "text/plain; charset=utf-8", status=HTTPStatus.NOT_FOUND)

        def do_HEAD(self) -> None:
            self.do_GET()

        def _send(
            self,
            body: bytes,
            kind: str,
            csp: str | None = None,
            status: HTTPStatus = HTTPStatus.OK,
            attachment: str | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            if attachment:
                self.send_header("Content-Disposition", f'attachment; filename="{attachment}"')
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            if csp:
                self.send_header("Content-Security-Policy", csp)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: the terminal shows the URL and re-renders only

    return Handler


class PreviewServer(ThreadingHTTPServer):
    """One thread per request, a deep accept queue, quiet about clients that leave."""

    daemon_threads = True  # a stalled client must not keep Ctrl-C from stopping us
    # socketserver's default backlog of 5 drops a burst of connections (a page
    # with its frames, a few tabs, a load test), which then wait seconds to
    # retry; the kernel caps this at net.core.somaxconn.
    request_queue_size = 1024

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], _HUNG_UP):
            return
        super().handle_error(request, client_address)  # a real bug: show it


def make_server(preview: Preview, port: int) -> PreviewServer:
    """The server, listening on 127.0.0.1:`port` (0: any free port)."""
    try:
        return PreviewServer(("127.0.0.1", port), make_handler(preview))
    except OSError as exc:
        raise MastheadError(
            f"cannot listen on 127.0.0.1:{port} ({exc.strerror}); pass another --port"
        ) from None


def serve(
    preview: Preview,
    port: int,
    *,
    on_ready: Callable[[str], None],
    on_render: Callable[[Snapshot], None],
) -> None:
    """Serve until interrupted (Ctrl-C)."""
    server = make_server(preview, port)
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(POLL_SECONDS):
            if preview.poll():
                on_render(preview.snapshot)

    watcher = threading.Thread(target=watch, name="masthead-watch", daemon=True)
    try:
        watcher.start()
        host, bound = server.server_address[:2]
        on_ready(f"http://{host}:{bound}/")
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass  # Ctrl-C, whenever it comes, is a clean stop
    finally:
        stop.set()
        server.server_close()
        time.sleep(0)  # let the watcher see the stop
