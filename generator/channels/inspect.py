"""The `inspect` view of an article: the parsed model as JSON or as an outline.

The JSON shape is stable and documented in the README; tools and tests rely
on it. String fields hold plain text.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

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


def block_to_dict(block: Block) -> dict[str, Any]:
    match block:
        case Paragraph(text=text):
            return {"type": "paragraph", "text": text.plain_text}
        case ListBlock(items=items, ordered=ordered):
            out: dict[str, Any] = {
                "type": "list",
                "ordered": ordered,
                "items": [i.plain_text for i in items],
            }
            if ordered and block.start != 1:
                out["start"] = block.start
            if block.bodies:  # per item: the blocks under its first line
                out["bodies"] = [[block_to_dict(b) for b in body] for body in block.bodies]
            return out
        case Quote(text=text, attribution=attribution):
            out = {
                "type": "quote",
                "text": text.plain_text,
                "attribution": attribution.plain_text if attribution else None,
            }
            if block.blocks:  # what follows the opening text
                out["blocks"] = [block_to_dict(b) for b in block.blocks]
            return out
        case FAQ(items=items):
            return {
                "type": "faq",
                "items": [
                    {"question": i.question.plain_text, "answer": i.answer_text} for i in items
                ],
            }
        case Subheading(text=text):
            return {"type": "subheading", "text": text.plain_text}
        case CodeBlock(language=language, text=text):
            return {"type": "code", "language": language, "text": text}
        case Table(header=header, rows=rows):
            return {
                "type": "table",
                "header": [c.plain_text for c in header],
                "rows": [[c.plain_text for c in row] for row in rows],
            }
        case Image(src=src, alt=alt):
            return {"type": "image", "src": src, "alt": alt}
    raise TypeError(f"unknown block {block!r}")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def article_to_dict(article: Article) -> dict[str, Any]:
    return {
        "title": article.title,
        "dek": article.dek,
        "author": article.author,
        "authors": list(article.authors),
        "date": _jsonable(article.date),
        "updated": _jsonable(article.updated),
        "reading_minutes": article.reading_minutes,
        "url": article.url,
        "slug": article.slug,
        "tags": list(article.tags),
        "image": article.image,
        "image_alt": article.image_alt,
        "lang": article.lang,
        "draft": article.draft,
        "extra": _jsonable(article.extra),
        "lead": [block.plain_text for block in article.lead],
        "sections": [
            {"heading": s.heading, "blocks": [block_to_dict(b) for b in s.blocks]}
            for s in article.sections
        ],
    }


def to_json(article: Article) -> str:
    return json.dumps(article_to_dict(article), ensure_ascii=False, indent=2) + "\n"


def to_outline(article: Article) -> str:
    """A human-readable outline: metadata, then each block on its own lines."""
    data = article_to_dict(article)
    lines = [article.title, "=" * min(len(article.title), 78)]
    for key in ("dek", "author", "date", "updated", "reading_minutes", "url", "slug", "lang"):
        if data[key] not in (None, ""):
            lines.append(f"{key + ':':<17}{data[key]}")
    if article.tags:
        lines.append(f"{'tags:':<17}{', '.join(article.tags)}")
    if article.image:
        lines.append(f"{'image:':<17}{article.image} ({article.image_alt or 'no alt text'})")
    if article.draft:
        lines.append(f"{'draft:':<17}yes")
    if article.lead:
        lines += ["", "[lead]"]
        lines += _outline_blocks(article.lead)
    for section in article.sections:
        lines += ["", f"## {section.heading}"]
        lines += _outline_blocks(section.blocks)
    return "\n".join(lines) + "\n"


def _outline_blocks(
    blocks: list[dict[str, Any]] | tuple[Block, ...], indent: str = "  "
) -> list[str]:
    """Blocks (or their dicts) as outline lines; the blocks under a list item
    or in a quote go under it, indented."""
    out: list[str] = []
    for block in blocks:
        data = block if isinstance(block, dict) else block_to_dict(block)
        kind = data["type"]
        if kind == "list":
            bodies = data.get("bodies") or [[] for _ in data["items"]]
            for n, (item, body) in enumerate(
                zip(data["items"], bodies, strict=True), start=data.get("start", 1)
            ):
                marker = f"{n}. " if data["ordered"] else "- "
                out.append(f"{indent}{marker}{item}".rstrip())
                out += _outline_blocks(body, indent + " " * len(marker))
        elif kind == "quote":
            if data["text"] or not data.get("blocks"):
                out += [f"{indent}> {line}" for line in data["text"].split("\n")]
            out += [
                f"{indent}> {line[len(indent) :]}"
                for line in _outline_blocks(data.get("blocks", []), indent)
            ]
            if data["attribution"]:
                out.append(f"{indent}>   — {data['attribution']}")
        elif kind == "faq":
            for item in data["items"]:
                out.append(f"{indent}Q: {item['question']}")
                out.append(f"{indent}A: " + item["answer"].replace("\n", "\n" + indent + "   "))
        elif kind == "code":
            out.append(
                f"{indent}[code: {data['language']}]" if data["language"] else f"{indent}[code]"
            )
            out += [f"{indent}  {line}" for line in data["text"].splitlines()]
        elif kind == "table":
            out.append(f"{indent}| " + " | ".join(data["header"]) + " |")
            out += [f"{indent}| " + " | ".join(row) + " |" for row in data["rows"]]
        elif kind == "image":
            out.append(f"{indent}[image {data['src']}] {data['alt']}")
        else:
            prefix = "### " if kind == "subheading" else ""
            out.append(f"{indent}{prefix}{data['text']}")
    return out
