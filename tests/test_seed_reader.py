"""The seed-layout reader, checked field by field through `masthead inspect`."""

from __future__ import annotations

from conftest import ARTICLES, SEED

from generator.model import FAQ, ListBlock, Paragraph, Quote
from generator.readers import read_bytes, read_path

SEED_TITLE = "The Great AI Divorce: How Microsoft and OpenAI Became Each Other’s Biggest Rivals"
SEED_DEK = (
    "The historic alliance between Microsoft and OpenAI is fracturing as both tech giants "
    "pivot toward direct competition for enterprise dominance and AI infrastructure."
)


def test_seed_json_has_exact_structure(cli):
    run = cli("inspect", SEED, "--format", "json")
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert list(data) == [
        "title",
        "dek",
        "author",
        "authors",
        "date",
        "updated",
        "reading_minutes",
        "url",
        "slug",
        "tags",
        "image",
        "image_alt",
        "lang",
        "draft",
        "extra",
        "lead",
        "sections",
    ]
    assert data["title"] == SEED_TITLE
    assert data["dek"] == SEED_DEK
    assert data["author"] == "SignalWire Newsroom"
    assert data["authors"] == ["SignalWire Newsroom"]
    assert data["date"] is None
    assert data["updated"] is None
    assert data["reading_minutes"] == 5
    assert data["url"] is None
    assert data["slug"] == "the-great-ai-divorce"
    assert data["tags"] == []
    assert data["image"] is None
    assert data["image_alt"] is None
    assert data["lang"] == "en"
    assert data["draft"] is False
    assert data["extra"] == {}
    assert len(data["lead"]) == 1
    assert data["lead"][0].startswith("The era of the 'special relationship'")
    assert data["lead"][0].endswith("infrastructures and market strategies.")

    sections = data["sections"]
    assert [s["heading"] for s in sections] == [
        "Background",
        "Latest Developments",
        "Key Facts",
        "Expert Insights",
        "Real-World Impact",
        "Key Takeaways",
        "FAQ",
    ]
    shapes = [[b["type"] for b in s["blocks"]] for s in sections]
    assert shapes == [
        ["paragraph"],
        ["paragraph", "paragraph"],
        ["list"],
        ["quote"],
        ["paragraph"],
        ["list"],
        ["faq"],
    ]
    facts = sections[2]["blocks"][0]
    assert facts["ordered"] is False
    assert len(facts["items"]) == 5
    assert facts["items"][0] == (
        "Microsoft has invested over $13 billion in OpenAI but does not technically "
        "'own' the company."
    )
    quote = sections[3]["blocks"][0]
    assert quote["text"].startswith("We are witnessing the natural conclusion")
    assert quote["attribution"] == "Senior Industry Analyst at a leading technology research firm"
    takeaways = sections[5]["blocks"][0]
    assert len(takeaways["items"]) == 4
    faq = sections[6]["blocks"][0]["items"]
    assert [i["question"] for i in faq] == [
        "Does Microsoft own OpenAI?",
        "What products are they competing on?",
        "Is the partnership officially over?",
    ]
    assert all(i["answer"] for i in faq)
    assert faq[0]["answer"].startswith("No, Microsoft does not own OpenAI;")


def test_seed_text_is_byte_exact():
    source = SEED.read_text(encoding="utf-8")
    article = read_path(SEED)
    assert article.title in source
    for block in article.blocks():
        for piece in block.plain_text.split("\n"):
            # Curly quotes, dashes and $ are kept as written.
            assert piece.removeprefix("— ") in source
    assert "Microsoft’s 'Copilot'" in article.sections[1].blocks[0].plain_text
    assert "models—including GPT-4—into" in article.sections[0].blocks[0].plain_text


def test_small_newsrooms_sample(cli):
    data = cli("inspect", ARTICLES / "small-newsrooms-bet-on-newsletters.txt", "-f", "json").json()
    assert data["title"] == "Why Small Newsrooms Are Betting Everything on Newsletters"
    assert data["authors"] == ["Priya Raman", "Tom Okafor"]
    assert data["author"] == "Priya Raman and Tom Okafor"
    assert data["date"] == "2026-03-03"
    assert data["reading_minutes"] == 6
    assert data["slug"] == "small-newsrooms-bet-on-newsletters"
    assert data["dek"].startswith("Local outlets that lost their print revenue")
    assert len(data["lead"]) == 1
    assert [s["heading"] for s in data["sections"]] == [
        "The Numbers",
        "What Editors Say",
        "How the Model Works",
        "What Comes Next",
    ]
    numbers, editors, model, nxt = data["sections"]
    assert [b["type"] for b in numbers["blocks"]] == ["paragraph", "list"]
    assert len(numbers["blocks"][1]["items"]) == 3
    quotes = editors["blocks"]
    assert [b["type"] for b in quotes] == ["quote", "quote", "quote"]
    assert [q["attribution"] for q in quotes] == [
        "Dana Whitfield, editor of the Harbor Ledger",
        "Luis Ortega, publisher at the Valley Voice",
        "Mei Chen, audience lead at Northside Daily",
    ]
    assert quotes[0]["text"].startswith("“The inbox is the last place")
    assert [b["type"] for b in model["blocks"]] == ["paragraph", "paragraph"]
    assert [b["type"] for b in nxt["blocks"]] == ["paragraph"]


def test_small_newsrooms_link_in_text_becomes_link():
    article = read_path(ARTICLES / "small-newsrooms-bet-on-newsletters.txt")
    lead = article.lead[0]
    assert isinstance(lead, Paragraph)
    links = [n for n in lead.text.nodes if type(n).__name__ == "Link"]
    assert [link.href for link in links] == [
        "https://example.org/reports/local-news-2026?src=masthead"
    ]
    # The sentence's full stop stays outside the link.
    assert lead.text.plain_text.endswith("?src=masthead.")


def test_beekeeping_sample(cli):
    data = cli("inspect", ARTICLES / "urban-beekeeping-guide.txt", "-f", "json").json()
    assert data["title"] == "A Beginner’s Guide to Urban Beekeeping 🐝"
    assert data["authors"] == ["Ana Lucía Ferreira"]
    assert data["date"] == "2026-05-14"
    # No reading time in the byline: computed from the word count at 230 wpm.
    assert data["reading_minutes"] == 2
    assert [s["heading"] for s in data["sections"]] == [
        "Getting Started",
        "Common Mistakes",
        "Frequently Asked Questions",
    ]
    start, mistakes, faq = data["sections"]
    assert [b["type"] for b in start["blocks"]] == ["paragraph", "list"]
    assert len(start["blocks"][1]["items"]) == 4
    assert "⚠️" in mistakes["blocks"][1]["text"]
    items = faq["blocks"][0]["items"]
    assert len(items) == 3
    assert items[0] == {
        "question": "Will my neighbours get stung?",
        "answer": "Rarely. Bees foraging away from the hive are not defensive.\n"
        "A tall fence or hedge sends their flight path over people’s heads.",
    }


def test_text_outline_shows_every_block(cli):
    run = cli("inspect", SEED)
    assert run.exit_code == 0
    assert run.stdout.startswith(SEED_TITLE + "\n")
    for heading in ("## Background", "## Key Facts", "## FAQ"):
        assert heading in run.stdout
    assert "  >   — Senior Industry Analyst" in run.stdout
    assert "  Q: Does Microsoft own OpenAI?" in run.stdout


def test_stdin_reads_the_seed_layout(cli):
    run = cli("inspect", "-", "-f", "json", input=SEED.read_bytes())
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert data["title"] == SEED_TITLE
    # No file name on stdin: the slug comes from the title.
    assert data["slug"].startswith("the-great-ai-divorce-how-microsoft-and-openai")


def read(text: str):
    return read_bytes(text.encode("utf-8"), name="t.txt")


def test_byline_variants():
    base = "Title Here\n{}\nThe dek.\nA paragraph.\n"
    a = read(base.format("By Jane Doe | 3 March 2026 | 4 min read"))
    assert (a.authors, str(a.date), a.reading_minutes) == (("Jane Doe",), "2026-03-03", 4)
    a = read(base.format("By Jane Doe - Mar 3, 2026"))
    assert (a.authors, str(a.date)) == (("Jane Doe",), "2026-03-03")
    a = read(base.format("By — — 7 min read"))
    assert (a.authors, a.date, a.reading_minutes) == ((), None, 7)
    a = read(base.format("By Ann, Bob & Cy — 2026-03-03T09:30:00+01:00"))
    assert a.authors == ("Ann", "Bob", "Cy")
    assert a.date.utcoffset().total_seconds() == 3600
    a = read(base.format("By Jean-Luc Picard"))
    assert a.authors == ("Jean-Luc Picard",)


def test_first_line_after_title_is_dek_without_byline():
    a = read("Title\nBy the numbers, this is a dek.\nBody text here.\n")
    assert a.authors == ()
    assert a.dek == "By the numbers, this is a dek."


def test_headings_attributions_and_lists():
    a = read(
        "T\nDek.\nLead paragraph.\n"
        "Rules of the Game\n"
        "A paragraph that is quoted.\n"
        "A quiet observer of the game\n"
        "- one\n- two\n"
        "Second paragraph.\n"
        "Jane Doe, head of research\n"
        "A standalone paragraph.\n"
        "What Happens Next\n"
        "Last paragraph.\n"
    )
    assert [s.heading for s in a.sections] == ["Rules of the Game", "What Happens Next"]
    blocks = a.sections[0].blocks
    assert [type(b) for b in blocks] == [Quote, ListBlock, Quote, Paragraph]
    assert blocks[0].attribution.plain_text == "A quiet observer of the game"
    assert blocks[2].attribution.plain_text == "Jane Doe, head of research"


def test_lead_has_no_implicit_quotes_but_dash_attribution_works():
    a = read("T\nDek.\nA lead paragraph.\nA short sentence case line\n")
    assert [type(b) for b in a.lead] == [Paragraph, Paragraph]
    a = read("T\nDek.\n“Quoted in the lead.”\n— Somebody Important\n")
    assert isinstance(a.lead[0], Quote)
    assert a.lead[0].attribution.plain_text == "Somebody Important"


def test_faq_multiline_answers_and_end():
    a = read("T\nDek.\nLead.\nFAQ\nWhy?\nBecause.\nAnd more.\nHow?\nLike so.\n")
    faq = a.sections[0].blocks[0]
    assert isinstance(faq, FAQ)
    assert [i.answer_text for i in faq.items] == ["Because.\nAnd more.", "Like so."]
    # A heading ends the FAQ once the last question has its answer.
    a = read("T\nDek.\nLead.\nFAQs\nWhy?\nBecause.\nClosing Thoughts\nThe end.\n")
    assert [s.heading for s in a.sections] == ["FAQs", "Closing Thoughts"]
    # A heading-like answer right after a question is still the answer.
    a = read("T\nDek.\nLead.\nFAQ\nIs it true?\nYes\n")
    assert a.sections[0].blocks[0].items[0].answer_text == "Yes"


def test_cjk_text_and_ascii_slug():
    a = read_bytes(
        "東京の新しい図書館\n新しい図書館が開館した。\n本文です。\n".encode(), name="<stdin>"
    )
    assert a.title == "東京の新しい図書館"
    assert a.slug and a.slug.isascii()
    assert a.dek == "新しい図書館が開館した。"


def test_reading_time_is_at_least_one_minute():
    assert read("T\nDek.\nShort.\n").reading_minutes == 1
    long_body = "T\nDek.\n" + ("word " * 1000).strip() + ".\n"
    assert read(long_body).reading_minutes == 5  # ceil(1001 / 230)


def test_a_line_that_reads_as_a_sentence_is_not_an_attribution():
    a = read(
        "T\nDek.\nLead.\n"
        "The Vote\n"
        "Members debated for four hours.\n"
        "More details are in the table below\n"
        "Then it rained.\n"
        "Now I know\n"
        "It rained again.\n"
        "See Part Two below\n"
        "It stopped.\n"
        "Email Jane for details\n"
        "Construction starts in May.\n"
        "Follow us for updates\n"
        "It is a fine plan.\n"
        "Jane Doe, who chairs the board\n"
    )
    blocks = a.sections[0].blocks
    assert [type(b) for b in blocks] == [Paragraph] * 10 + [Quote]
    assert blocks[-1].attribution.plain_text == "Jane Doe, who chairs the board"
    for name in (
        "Will Smith, actor",
        "May Chen, head of product",
        "Anh Do, comedian",
        "Ana Ruiz, author of Bees and You",
        "Can Öztürk, head of research",
    ):
        a = read(f"T\nDek.\nLead.\nThe Vote\nIt was close.\n{name}\n")
        assert a.sections[0].blocks[0].attribution.plain_text == name
    a = read("T\nDek.\nLead.\nThe Vote\nMembers debated.\n— Follow us for updates\n")
    assert a.sections[0].blocks[0].attribution.plain_text == "Follow us for updates"


def test_author_names_are_read_with_single_spaces():
    article = read_bytes(
        (
            "Title\nBy Ann   Lee ,  Bo  Chen and Cy"
            + " " * 5000
            + "Dee — 2026-03-03\nDek.\nLead.\n"
        ).encode(),
        name="t.txt",
    )
    assert article.authors == ("Ann Lee", "Bo Chen", "Cy Dee")
