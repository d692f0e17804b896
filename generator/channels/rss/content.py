"""The article body as an HTML fragment for feed readers.

Semantic HTML only (headings, paragraphs, lists, blockquotes, a definition
list for the FAQ, data tables): no `<html>`, `<head>`, `<style>` or layout
tables, which feed readers strip or mangle.
"""

from __future__ import annotations

from generator.language import direction
from generator.model import (
    FAQ,
    Article,
    Block,
    CodeBlock,
    Image,
    ListBlock,
    Paragraph,
    Quote,
    Subheading,
    Table,
)
from generator.text.html import attr_html, inline_html, text_html
from generator.text.urls import is_safe_href


def article_html(article: Article) -> str:
    parts = [_feature_image(article), *(_block(b, 2) for b in article.lead)]
    for section in article.sections:
        parts.append(f"<h2>{text_html(section.heading)}</h2>")
        parts.extend(_block(b) for b in section.blocks)
    body = "\n".join(p for p in parts if p)
    if direction(article.lang) == "rtl":
        # Feed readers render the fragment in their own page: say the direction.
        return f'<div dir="rtl" lang="{attr_html(article.lang)}">\n{body}\n</div>'
    return body


def _feature_image(article: Article) -> str:
    """The article's image first, as on its page: feed readers show the item's
    HTML, and only some of them look at `media:content` or JSON Feed's `image`.
    Left out when the body opens with the same image (a reader would show it twice)."""
    if not article.image or not _is_http_image(article.image):
        return ""
    first = article.lead[0] if article.lead else None
    if isinstance(first, Image) and first.src == article.image:
        return ""
    return _figure(article.image, article.image_alt or "")


def summary_html(article: Article) -> str | None:
    """The item's description: the dek, else the article's first paragraph
    as text. RSS readers show it in lists, and the RSS profile wants one
    before `content:encoded`. None for an article with no text at all."""
    if article.dek:
        return str(text_html(article.dek))
    blocks = [*article.lead, *(b for s in article.sections for b in s.blocks)]
    paragraphs = [b for b in blocks if isinstance(b, Paragraph)]
    first = next((b.plain_text.strip() for b in [*paragraphs, *blocks] if b.plain_text.strip()), "")
    return str(text_html(" ".join(first.split()))) if first else None


def _block(block: Block, level: int = 3) -> str:
    match block:
        case Paragraph(text=text):
            return f"<p>{inline_html(text)}</p>"
        case Subheading(text=text):
            # Before any section heading, it is the first level under the title.
            return f"<h{level}>{inline_html(text)}</h{level}>"
        case ListBlock():
            return _list(block)
        case Quote(text=text, attribution=attribution, blocks=blocks):
            said = f"<p>{inline_html(text)}</p>" if text or not blocks else ""
            cite = f"<footer>— {inline_html(attribution)}</footer>" if attribution else ""
            return f"<blockquote>{said}{_blocks(blocks)}{cite}</blockquote>"
        case FAQ(items=items):
            pairs = "".join(
                f"<dt>{inline_html(i.question)}</dt>"
                + "".join(f"<dd>{inline_html(a)}</dd>" for a in i.answer)
                for i in items
            )
            return f"<dl>{pairs}</dl>"
        case CodeBlock(text=text, language=language):
            cls = f' class="language-{attr_html(language)}"' if language else ""
            return f"<pre><code{cls}>{text_html(text)}</code></pre>"
        case Table(header=header, rows=rows):
            head = "".join(f"<th>{inline_html(c)}</th>" for c in header)
            body = "".join(
                "<tr>" + "".join(f"<td>{inline_html(c)}</td>" for c in row) + "</tr>"
                for row in rows
            )
            return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        case Image(src=src, alt=alt):
            return _figure(src, alt) if _is_http_image(src) else ""
    raise TypeError(f"unknown block {block!r}")


def _is_http_image(src: str) -> bool:
    """Only http(s) images go out: a reader would fetch no other kind."""
    return is_safe_href(src) and not src.lower().startswith("mailto:")


def _figure(src: str, alt: str) -> str:
    return f'<figure><img src="{attr_html(src)}" alt="{attr_html(alt)}"/></figure>'


def _blocks(blocks: tuple[Block, ...]) -> str:
    """Blocks under a list item or in a quote."""
    return "".join(_block(b) for b in blocks)


def _list(block: ListBlock) -> str:
    tag = "ol" if block.ordered else "ul"
    start = f' start="{block.start}"' if block.ordered and block.start != 1 else ""
    lis = "".join(
        f"<li>{inline_html(item)}{_blocks(block.body(n))}</li>"
        for n, item in enumerate(block.items)
    )
    return f"<{tag}{start}>{lis}</{tag}>"
