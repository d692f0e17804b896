"""The email channel: Article -> newsletter (subject, preheader, HTML, plain text).

- `html`: Jinja2 templates -> MJML -> HTML (mjml-python).
- `text`: the plain-text part.
- `mergetags`: keeps article text from ever becoming an ESP merge tag.
- `eml`: a complete RFC 5322 message file.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.channels.email.html import render_html
from generator.channels.email.parts import EmailParts, email_parts
from generator.channels.email.text import render_text
from generator.config import Config
from generator.model import Article


@dataclass(frozen=True, slots=True)
class Email:
    subject: str
    preheader: str
    html: str
    text: str


def build_email(
    article: Article,
    config: Config,
    *,
    esp: str | None = None,
    subject: str | None = None,
    theme: str | None = None,
) -> Email:
    parts: EmailParts = email_parts(article, config, esp=esp, subject=subject, theme=theme)
    return Email(
        subject=parts.subject_text,
        preheader=parts.preheader_text,
        html=render_html(parts),
        text=render_text(parts),
    )


__all__ = ["Email", "build_email"]
