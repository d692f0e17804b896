"""A Markdown quote's last line that starts with a dash inside emphasis, a
link or code (`> **-- Someone**`) is its attribution, that markup kept
(issue 21 review, F7): it once stopped the reader with an internal
AssertionError."""

from __future__ import annotations

import os
import subprocess

import pytest
from conftest import MASTHEAD, subprocess_env
from hypothesis import given
from hypothesis import strategies as st

from generator.errors import ReaderError
from generator.model import Code, Emphasis, Link, Quote, RichText, Strong, Text
from generator.readers import read_bytes


def _quote(body: str) -> Quote:
    article = read_bytes(
        f"---\ntitle: T\n---\n\nBody.\n\n{body}\n".encode(), name="q.md", fmt="markdown"
    )
    blocks = [*article.lead, *(b for s in article.sections for b in s.blocks)]
    quotes = [b for b in blocks if isinstance(b, Quote)]
    assert len(quotes) == 1, blocks
    return quotes[0]


def _rich(*nodes) -> RichText:
    return RichText(tuple(nodes))


QUOTED = _rich(Text("Quoted."))

SHAPES = [
    ("> Quoted.\n> **-- Someone**", QUOTED, _rich(Strong((Text("Someone"),)))),
    ("> Quoted.\n> *— Name*", QUOTED, _rich(Emphasis((Text("Name"),)))),
    ("> Quoted.\n> _– Name, editor_", QUOTED, _rich(Emphasis((Text("Name, editor"),)))),
    ("> Quoted.\n> ***— Name***", QUOTED, _rich(Emphasis((Strong((Text("Name"),)),)))),
    ("> Quoted.\n> **—** Name", QUOTED, _rich(Text("Name"))),
    ("> Quoted.\n> *--* Name", QUOTED, _rich(Text("Name"))),
    ("> Quoted.\n> **— Jane** Doe", QUOTED, _rich(Strong((Text("Jane"),)), Text(" Doe"))),
    ("> Quoted.\n> -- **Name**", QUOTED, _rich(Strong((Text("Name"),)))),
    (
        "> Quoted.\n> [— Name](https://x.example/)",
        QUOTED,
        _rich(Link("https://x.example/", (Text("Name"),))),
    ),
    ("> Quoted.\n> `--` Name", QUOTED, _rich(Text("Name"))),
    ("> Quoted.\n> `-- x` Name", QUOTED, _rich(Code("x"), Text(" Name"))),
    # Alone, the line is the quote's text, as `> -- Name` has always been.
    ("> **-- Someone**", _rich(Strong((Text("Someone"),))), None),
    ("> -- Someone", _rich(Text("Someone")), None),
    # A dash and nothing after it names no one: plain text.
    ("> Quoted.\n> **—**", _rich(Text("Quoted. "), Strong((Text("—"),))), None),
    # Asterisks that make no emphasis are text, here the attribution's.
    ("> Quoted.\n> *--* ** **", QUOTED, _rich(Text("** **"))),
]


@pytest.mark.parametrize(("body", "text", "attribution"), SHAPES)
def test_an_attribution_dash_inside_markup(body, text, attribution):
    quote = _quote(body)
    assert (quote.text, quote.attribution) == (text, attribution)


DASHES = st.sampled_from(["—", "–", "--", "-"])
WRAPS = st.sampled_from(["*", "**", "***", "_", "__", "`", ""])
NAMES = st.sampled_from(["", " ", "Name", "Jane Doe", "*", "**", "`"])


@given(
    st.booleans(), WRAPS, DASHES, st.sampled_from(["", " "]), NAMES, WRAPS, NAMES
)
def test_any_dash_in_markup_reads_without_an_internal_error(
    text_first, outer, dash, space, inner, wrap, after
):
    """Dashes in and out of emphasis, code and empty emphasis: a quote (or no
    quote at all), never an exception other than a ReaderError, and an
    attribution never begins with its dash."""
    line = f"{outer}{dash}{space}{wrap}{inner}{wrap}{outer}{after}"
    body = ("> Quoted.\n" if text_first else "") + "> " + line
    try:
        article = read_bytes(
            f"---\ntitle: T\n---\n\nBody.\n\n{body}\n".encode(), name="q.md", fmt="markdown"
        )
    except ReaderError:
        return
    for block in article.lead:
        if isinstance(block, Quote) and block.attribution is not None:
            plain = block.attribution.plain_text
            assert plain.strip()
            assert not plain.startswith(("—", "–", "-"))


def test_the_cli_writes_the_email_of_such_a_quote(tmp_path):
    """The review's case, through the CLI: an email, not an internal error."""
    source = tmp_path / "q2.md"
    source.write_text("---\ntitle: T\n---\n\nBody.\n\n> Quoted.\n> **-- Someone**\n")
    out = tmp_path / "q2.html"
    run = subprocess.run(
        [*MASTHEAD, "email", str(source), "-o", str(out)],
        env=subprocess_env(MASTHEAD_NO_TEMPLATE_CACHE="1"),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=os.fspath(tmp_path),
    )
    assert run.returncode == 0, run.stderr
    assert "internal error" not in run.stderr
    html = out.read_text()
    assert "Someone" in html and "-- Someone" not in html
