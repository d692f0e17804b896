"""The plain-text part: the same content, readable in a terminal.

Headings are underlined, lists use `- `, quotes keep their attribution, and
links become numbered references listed at the end. Lines wrap at 72
characters without breaking words or URLs.
"""

from __future__ import annotations

import re

from generator.channels.email.mergetags import neutralize_text
from generator.channels.email.parts import EmailParts
from generator.model import (
    FAQ,
    Block,
    Code,
    CodeBlock,
    Emphasis,
    Image,
    Link,
    ListBlock,
    Paragraph,
    Quote,
    RichText,
    Strong,
    Subheading,
    Table,
    Text,
)
from generator.text.sanitize import balanced_bidi
from generator.text.urls import is_safe_href
from generator.text.wrapping import display_width, fill

WIDTH = 72


class _Links:
    """Numbered link references, in order of first appearance."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def ref(self, url: str) -> int:
        if url not in self.urls:
            self.urls.append(url)
        return self.urls.index(url) + 1


def wrap(text: str, indent: str = "", first: str | None = None) -> str:
    """`text` filled to WIDTH, each of its lines a paragraph, set at `indent`
    (its first line at `first`, when given)."""
    if "\n" not in text:  # one paragraph, as most are
        initial = indent if first is None else first
        return fill(text, WIDTH, initial, indent) or indent.rstrip()
    paragraphs = text.split("\n")
    return "\n".join(
        fill(
            p,
            WIDTH,
            initial_indent=first if (first is not None and n == 0) else indent,
            subsequent_indent=indent,
        )
        or (indent.rstrip())
        for n, p in enumerate(paragraphs)
    )


def render_text(parts: EmailParts) -> str:
    article = parts.article
    links = _Links()
    out: list[str] = []

    def rich(text: RichText) -> str:
        nodes = text.nodes
        if len(nodes) == 1 and type(nodes[0]) is Text:  # plain text, as most is
            return nodes[0].text
        return "".join([_inline(node, links) for node in nodes])

    title = fill(article.title, WIDTH)
    out += [title, "=" * max(display_width(line) for line in title.split("\n")), ""]
    if parts.byline_text:
        out += [wrap(parts.byline_text), ""]
    if article.dek:
        out += [wrap(article.dek), ""]

    def lines_of(b: Block, indent: str) -> list[str]:
        """Block `b` as lines set at `indent`, under a list item or in a quote."""
        match b:
            case Paragraph(text=text):
                return [wrap(rich(text), indent, indent)]
            case Subheading(text=text):
                return [indent + rich(text).upper()]
            case ListBlock():
                return list_lines(b, indent)
            case Quote():
                # Marked, where an indent alone would read as code.
                return quote_lines(b, indent + "> ", indent + ">   ")
            case CodeBlock(text=text):
                return [indent + "    " + line for line in text.split("\n")]
            case Table(header=header, rows=rows):
                cells = _table([rich(c) for c in header], [[rich(c) for c in r] for r in rows])
                return [indent + line for line in cells]
            case Image(alt=alt):
                return [f"{indent}[{alt}]"] if alt else []
        raise TypeError(f"unknown block {b!r}")

    def under(blocks: tuple[Block, ...], indent: str, lines: list[str], gap: bool) -> None:
        """`blocks` below `lines` at `indent`: a blank line before each but a
        list (a nested list follows its item directly), and before the first
        only when `gap` (not right under a bare marker)."""
        for n, inner in enumerate(blocks):
            if (n or gap) and not isinstance(inner, ListBlock):
                lines.append(indent.rstrip())
            lines.extend(lines_of(inner, indent))

    def list_lines(b: ListBlock, indent: str) -> list[str]:
        lines: list[str] = []
        for n, item in enumerate(b.items, start=b.start):
            marker = f"{n}. " if b.ordered else "- "
            inset = indent + " " * len(marker)
            if item:
                lines.append(wrap(rich(item), inset, indent + marker))
            else:  # an item that opens with a block (or holds only a sublist)
                lines.append((indent + marker).rstrip())
            body = b.body(n - b.start)
            under(body, inset, lines, gap=bool(item))
            if body and not isinstance(body[-1], ListBlock) and n < b.start + len(b.items) - 1:
                lines.append(indent.rstrip())  # loose: a blank line before the next item
        return lines

    def quote_lines(b: Quote, indent: str, said_more: str) -> list[str]:
        """A quote at `indent`; its attribution's lines after the first are
        set at `said_more`."""
        lines = [wrap(rich(b.text), indent, indent)] if b.text else []
        under(b.blocks, indent, lines, gap=bool(lines))
        if b.attribution:
            lines.append(wrap("— " + rich(b.attribution), said_more, indent))
        return lines

    def block(b: Block) -> None:
        match b:
            case Paragraph(text=text):
                out.extend([wrap(rich(text)), ""])
            case Quote():
                out.extend([*quote_lines(b, "    ", "      "), ""])
            case FAQ(items=items):
                for item in items:
                    out.append(wrap(rich(item.question)))
                    for answer in item.answer:
                        out.append(wrap(rich(answer)))
                    out.append("")
            case CodeBlock() | Subheading() | ListBlock() | Table() | Image():
                if lines := lines_of(b, ""):
                    out.extend([*lines, ""])

    def section(heading: str, blocks: tuple[Block, ...]) -> None:
        out.extend([heading, "-" * min(display_width(heading), WIDTH), ""])
        for b in blocks:
            block(b)

    first, rest = parts.sections  # the takeaways first, when they go under the dek
    for s in first:
        section(s.heading, s.blocks)
    for b in article.lead:
        block(b)
    for s in rest:
        section(s.heading, s.blocks)

    labels = parts.labels
    if parts.link:
        out += [f"{labels['read_online']}: {_url_text(parts.link)}", ""]
    if links.urls:
        out += [f"{labels['links']}:"]
        out += [f"[{n}] {_url_text(url)}" for n, url in enumerate(links.urls, start=1)]
        out.append("")

    # Article text is made inert in one pass over everything it reaches, so a
    # merge tag split over inline nodes ("{*{ x }}*") or closed by our own
    # brackets (an image's "[alt]") is seen whole. The footer, ours, follows.
    out = [neutralize_text("\n".join(out)), *_footer(parts)]
    # Plain text is body text: bidi controls balanced line by line (see sanitize).
    return balanced_bidi("\n".join(out)).rstrip() + "\n"


def _footer(parts: EmailParts) -> tuple[str, ...]:
    """The footer's lines, made from the config alone (with the email
    service and language): once, kept with them (`parts.shared`)."""
    found: tuple[str, ...] | None = parts.shared.memo.get("text footer")
    if found is not None:
        return found
    footer, labels = parts.footer, parts.labels
    out = ["-- "]
    for line in (footer.sender_text, footer.address_text):
        if line:  # the address is neutralised already, or is the ESP's own tag
            out.append(neutralize_text(line) if line is footer.sender_text else line)
    why = neutralize_text(
        labels["why_brand"].format(brand=parts.config.brand.name)
        if parts.config.brand.name
        else labels["why"]
    )
    out.append(wrap(why))
    if footer.unsubscribe_text:
        out.append(f"{neutralize_text(labels['unsubscribe'])}: {footer.unsubscribe_text}")
    if footer.web_version_text:
        out.append(f"{neutralize_text(labels['web_version'])}: {footer.web_version_text}")
    found = parts.shared.memo["text footer"] = tuple(out)
    return found


_URL_DELIMITERS = re.compile(r"[\[\]{}|<>]")


def _url_text(url: str) -> str:
    """A URL with the characters a merge tag opens with percent-encoded, as a
    browser would send them: it stays inert and still works when copied."""
    return _URL_DELIMITERS.sub(lambda m: f"%{ord(m.group()):02X}", url)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A table as lines, columns padded to line up when the table fits the
    width, else each row's cells joined by " | "."""
    cells = [[" ".join(c.split()) for c in row] for row in ([header] if header else []) + rows]
    columns = max((len(row) for row in cells), default=0)
    widths = [
        max((len(row[n]) for row in cells if n < len(row)), default=0) for n in range(columns)
    ]
    aligned = sum(widths) + 3 * (columns - 1) <= WIDTH
    lines = []
    for number, row in enumerate(cells):
        if aligned:
            line = " | ".join(cell.ljust(widths[n]) for n, cell in enumerate(row)).rstrip()
        else:
            line = " | ".join(row)
        lines.append(line)
        if number == 0 and header:
            lines.append("-" * min(WIDTH, max(len(line), sum(widths) + 3 * (columns - 1))))
    return lines


def _inline(node, links: _Links) -> str:  # type: ignore[no-untyped-def]
    match node:
        case Text(text=text) | Code(text=text):
            return text
        case Emphasis(children=children) | Strong(children=children):
            return "".join(_inline(c, links) for c in children)
        case Link(href=href, children=children):
            inner = "".join(_inline(c, links) for c in children)
            if not is_safe_href(href):
                return inner
            if inner == href:  # a bare URL
                return _url_text(href)
            return f"{inner} [{links.ref(href)}]"
    raise TypeError(f"unknown inline node {node!r}")
