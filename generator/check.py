"""`masthead check`: one lint across channels, writing nothing.

Every rule has a name and a severity. Warnings are things a professional
would fix before sending; errors are things that would break a channel
(a clipped email, a thread post that cannot fit, a link no client will open).
The rules look at the article and at what each channel makes of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from generator.channels.email import Email, build_email
from generator.channels.thread import Thread, build_thread
from generator.config import Config
from generator.errors import MastheadError
from generator.esp import get_esp
from generator.language import has_labels
from generator.model import Article, CodeBlock, Image, Inline, Link, RichText, walk
from generator.platforms import platforms
from generator.text.sanitize import bidi_controls
from generator.theme import AA, BOX_PAIRS, contrast

Severity = Literal["warning", "error"]

SUBJECT_MAX = 78  # characters most inboxes show before cutting
EMAIL_WARN_BYTES = 80 * 1024
EMAIL_CLIP_BYTES = 102 * 1000  # Gmail clips HTML beyond about 102 KB


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    severity: Severity
    rule: str
    message: str
    line: int | None = None

    def as_line(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message} [{self.rule}]"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
        }


def check_config(config: Config, *, esp: str | None = None) -> Iterator[Finding]:
    """Findings about the config itself; `esp` is the email service chosen
    on the command line, if any (else the config's)."""
    where = str(config.path) if config.path else "(config)"
    if (esp or config.email.esp) == "generic" and not config.email.unsubscribe_url:
        yield Finding(
            where,
            "warning",
            "no-unsubscribe",
            "emails have no unsubscribe link: set [email] esp in masthead.toml to your "
            "email service (or pass --esp to render and email) so its unsubscribe tag goes "
            "in the footer, or set [email] unsubscribe_url; bulk-sender rules require it",
        )
    # An email service with an address tag (Mailchimp's) fills it in itself.
    if not config.postal_address and not get_esp(esp or config.email.esp).address:
        yield Finding(
            where,
            "warning",
            "no-postal-address",
            "no postal_address in the config: email footers have no address, which "
            "anti-spam laws (CAN-SPAM, GDPR) require",
        )
    theme = config.resolved_theme()
    for fg, bg in BOX_PAIRS:
        if (ratio := contrast(theme[fg], theme[bg])) < AA:
            # A warning, not the config error other pairs are: links in the box
            # are a small part of an email, and configs made before this check
            # must go on working.
            yield Finding(
                where,
                "warning",
                "low-contrast",
                f"links in the takeaways box: {fg} {theme[fg]} on {bg} {theme[bg]} has a "
                f"contrast of {ratio:.2f}:1, below the {AA}:1 of WCAG AA; pick a "
                f"{'darker' if fg == 'accent' else 'lighter'} theme.{fg}",
            )
    if not config.site_url:
        yield Finding(
            where,
            "warning",
            "no-site-url",
            "no site_url in the config: articles without a url get no link, "
            "and feed guids are not permalinks",
        )


def check_article(
    article: Article,
    config: Config,
    path: str,
    *,
    email: Email | None = None,
    skip_threads: bool = False,
    threads: Iterable[Thread] = (),
    esp: str | None = None,
) -> Iterator[Finding]:
    """Findings for one article. `email` may be passed when already built;
    `skip_threads` when the caller has built every thread itself (passing
    them as `threads`, for what they left out); `esp` is the email service
    to build the email for (else the config's)."""

    def finding(severity: Severity, rule: str, message: str, line: int | None = None) -> Finding:
        return Finding(path, severity, rule, message, line)

    if article.image and not article.image_alt:
        yield finding("warning", "missing-alt", "the article image has no alt text (image_alt)")
    # Every image, those under list items and in quotes too.
    for block in walk(article.blocks()):
        if not isinstance(block, Image):
            continue
        if not block.alt.strip():
            yield finding(
                "warning", "missing-alt", f"image {block.src} has no alt text", block.line
            )
        scheme = urlsplit(block.src).scheme.lower() if ":" in block.src else ""
        if not scheme:
            yield finding(
                "warning",
                "relative-image",
                f"image '{block.src}' is relative: the email and the feed leave it out "
                "(give its full https:// address)",
                block.line,
            )
        elif scheme not in ("http", "https"):
            yield finding(
                "error",
                "image-scheme",
                f"image '{block.src[:80]}' uses '{scheme}:'; only http and https images are "
                "shown, so the email and the feed leave it out",
                block.line,
            )
    yield from (finding("warning", "bidi-control", message) for message in _bidi(article))
    if not article.dek and not article.preheader:
        yield finding(
            "warning",
            "no-preheader",
            "no dek or preheader: inboxes will preview the first words of the body",
        )
    if not has_labels(article.lang, dict(config.labels)):
        yield finding(
            "warning",
            "no-labels",
            f"no labels for language '{article.lang}': the fixed words around the content "
            "are in English (set every label under [labels] in masthead.toml; "
            "generator/labels.toml lists them)",
        )

    try:
        message = email or build_email(article, config, esp=esp)
    except MastheadError as exc:
        yield finding("error", "email-failed", f"the email cannot be built: {exc}")
    else:
        if len(message.subject) > SUBJECT_MAX:
            yield finding(
                "warning",
                "long-subject",
                f"the subject is {len(message.subject)} characters; inboxes show about "
                f"{SUBJECT_MAX} (set a shorter 'subject')",
            )
        size = len(message.html.encode("utf-8"))
        if size > EMAIL_CLIP_BYTES:
            yield finding(
                "error",
                "email-clipped",
                f"the email HTML is {size / 1000:.0f} KB: Gmail clips it beyond 102 KB",
            )
        elif size > EMAIL_WARN_BYTES:
            yield finding(
                "warning",
                "email-large",
                f"the email HTML is {size / 1024:.0f} KB; ESP tracking adds more, "
                "and Gmail clips beyond 102 KB",
            )

    built = list(threads)
    for key in () if skip_threads else platforms():
        try:
            built.append(build_thread(article, key, config, limit=getattr(config.limits, key)))
        except MastheadError as exc:
            yield finding("error", "thread-unfit", f"{platforms()[key].name}: {exc}")
    for code, names in _left_out(built):
        yield finding(
            "warning",
            "code-left-out",
            f"the code under a list item ('{_first_line(code.text)}') does not fit a post on "
            f"{_names(names)}: there the item goes out without it (shorten the code, or "
            "raise the post limit in [limits])",
            code.line,
        )

    for href in _links(article):
        scheme = urlsplit(href).scheme.lower() if ":" in href else ""
        if scheme in ("http", "https", "mailto"):
            continue
        if not scheme:
            yield finding(
                "warning",
                "relative-link",
                f"link '{href}' is relative: it works on your site, not in an email or a feed",
            )
        else:
            yield finding(
                "error",
                "link-scheme",
                f"link '{href}' uses '{scheme}:'; only http, https and mailto links are "
                "kept, so it will show as text",
            )


def _left_out(threads: list[Thread]) -> list[tuple[CodeBlock, list[str]]]:
    """Each code block some thread left out, with the platforms that did."""
    found: dict[int, tuple[CodeBlock, list[str]]] = {}
    for thread in threads:
        for code in thread.left_out:
            entry = found.setdefault(id(code), (code, []))
            if thread.platform.name not in entry[1]:
                entry[1].append(thread.platform.name)
    return list(found.values())


def _first_line(code: str, width: int = 40) -> str:
    line = next((part.strip() for part in code.split("\n") if part.strip()), "")
    return line if len(line) <= width else line[: width - 1] + "…"


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _bidi(article: Article) -> Iterator[str]:
    """What the article's bidi controls become (the rule is in
    text/sanitize.py): in titles and the like every one is dropped; in body
    text overrides and embeddings are, and an isolate left open is closed."""
    titles = [
        ("the title", article.title),
        ("the subject", article.subject),
        # Without a preheader, the dek is the email's.
        ("the preheader" if article.preheader else "the dek", article.preheader or article.dek),
        ("an author", " ".join(article.authors)),
        ("a tag", " ".join(article.tags)),
        ("the image's alt text", article.image_alt),
    ]
    said = [
        f"{field} ({', '.join(names)})"
        for field, text in titles
        if (names := bidi_controls(text or "", title=True))
    ]
    if said:
        yield (
            f"bidi controls in {'; '.join(said)}: they can show text out of order (an override "
            "makes 'Hi <U+202E>gnp.exe' read 'Hi exe.png'), so subjects, titles and feeds go "
            "out without them; delete them"
        )
    body = [article.dek or "", *(section.heading for section in article.sections)]
    body += [text.plain_text for text in _rich_texts(article)]
    if found := sorted({name for text in body for name in bidi_controls(text, title=False)}):
        yield (
            f"bidi controls in the text ({', '.join(found)}): they can show text out of order, "
            "so it goes out without overrides and embeddings, and with each isolate "
            "(U+2066-U+2068) closed by a U+2069 at the end of its line; delete them, or "
            "close each isolate on its line"
        )


def _links(article: Article) -> Iterator[str]:
    def walk(nodes: tuple[Inline, ...]) -> Iterator[str]:
        for node in nodes:
            if isinstance(node, Link):
                yield node.href
            children = getattr(node, "children", None)
            if children:
                yield from walk(children)

    for text in _rich_texts(article):
        yield from walk(text.nodes)


def _rich_texts(article: Article) -> Iterator[RichText]:
    for block in walk(article.blocks()):
        yield from _block_texts(block)


def _block_texts(block: object) -> Iterator[RichText]:
    for name in ("text", "attribution"):
        value = getattr(block, name, None)
        if isinstance(value, RichText):
            yield value
    items = getattr(block, "items", ())  # a list's lines (`walk` visits its bodies)
    for item in items or ():
        if isinstance(item, RichText):
            yield item
        else:  # an FAQ item
            yield item.question
            yield from item.answer
    for row in (getattr(block, "header", None), *(getattr(block, "rows", ()) or ())):
        if row:
            yield from row
