"""Bad input: one clear `error: PATH:LINE: …` line and exit 1, never a traceback."""

from __future__ import annotations

import pytest

from generator.readers import read_bytes


def write(tmp_path, name: str, data: bytes | str):
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def assert_one_error_line(run, *fragments: str) -> None:
    assert run.exit_code == 1
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in run.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_missing_file(cli, tmp_path):
    assert_one_error_line(cli("inspect", tmp_path / "nope.txt"), "nope.txt: no such file")


def test_directory(cli, tmp_path):
    assert_one_error_line(cli("inspect", tmp_path), "is a directory")


def test_empty_file(cli, tmp_path):
    path = write(tmp_path, "empty.txt", "\n\n  \n")
    assert_one_error_line(cli("inspect", path), f"{path}:1:", "empty")


def test_non_utf8_names_the_byte_offset(cli, tmp_path):
    path = write(tmp_path, "latin1.txt", "Title\nDek.\nCaf\xe9 au lait.\n".encode("latin-1"))
    assert_one_error_line(cli("inspect", path), f"{path}:3:", "0xe9", "offset 14", "UTF-8")


def test_binary_file(cli, tmp_path):
    path = write(tmp_path, "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert_one_error_line(cli("inspect", path), "binary")


def test_impossible_date(cli, tmp_path):
    path = write(
        tmp_path, "d.txt", "Title\nBy Jane — February 30, 2026 — 3 min read\nDek.\nBody.\n"
    )
    assert_one_error_line(cli("inspect", path), f"{path}:2:", "February 30, 2026", "not a real day")


def test_unrecognised_date(cli, tmp_path):
    path = write(tmp_path, "d.txt", "Title\nBy Jane — sometime soon\nDek.\nBody.\n")
    assert_one_error_line(cli("inspect", path), f"{path}:2:", "2026-03-03")


def test_faq_question_without_answer(cli, tmp_path):
    text = "Title\nDek.\nLead.\nFAQ\nFirst question?\nAn answer.\nSecond question?\n"
    path = write(tmp_path, "faq.txt", text)
    assert_one_error_line(cli("inspect", path), f"{path}:7:", "Second question?", "no answer")


def test_faq_question_followed_by_question(cli, tmp_path):
    text = "Title\nDek.\nLead.\nFAQ\nFirst question?\nSecond question?\nAnswer.\n"
    path = write(tmp_path, "faq.txt", text)
    assert_one_error_line(cli("inspect", path), f"{path}:5:", "First question?", "no answer")


def test_no_body(cli, tmp_path):
    path = write(tmp_path, "nobody.txt", "Title\nBy Jane — — 2 min read\nJust a dek.\n")
    assert_one_error_line(cli("inspect", path), f"{path}:3:", "no body")


def test_title_only(cli, tmp_path):
    path = write(tmp_path, "title.txt", "Only a title\n")
    assert_one_error_line(cli("inspect", path), f"{path}:1:", "no dek")


def test_headings_without_blocks_is_no_body(cli, tmp_path):
    path = write(tmp_path, "h.txt", "Title\nDek.\nFirst Heading\nSecond Heading\n")
    assert_one_error_line(cli("inspect", path), "no body")


def test_unknown_extension(cli, tmp_path):
    path = write(tmp_path, "a.docx", "Title\nDek.\nBody.\n")
    assert_one_error_line(cli("inspect", path), "unknown article type '.docx'")


def test_stdin_errors_name_stdin(cli):
    assert_one_error_line(cli("inspect", "-", input=b""), "<stdin>:1:", "empty")


def test_usage_errors_exit_2(cli, tmp_path):
    assert cli("inspect").exit_code == 2
    assert cli("inspect", tmp_path / "x.txt", "--format", "yaml").exit_code == 2
    assert cli("no-such-command").exit_code == 2


def test_debug_flag_shows_a_traceback(cli, tmp_path):
    run = cli("--debug", "inspect", tmp_path / "nope.txt")
    assert run.exit_code == 1
    assert "Traceback" in run.stderr
    assert "error: " in run.stderr


def test_unexpected_crash_is_one_line(cli, monkeypatch):
    import generator.channels.inspect as inspect_channel

    def boom(article):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(inspect_channel, "to_outline", boom)
    run = cli("inspect", "-", input=b"T\nDek.\nBody.\n")
    assert_one_error_line(run, "internal error", "kaboom", "--debug")


@pytest.mark.parametrize(
    ("data", "title"),
    [
        (b"\xef\xbb\xbfTitle\nDek.\nBody.\n", "Title"),  # BOM
        (b"Title\r\nDek.\r\nBody.\r\n", "Title"),  # CRLF
        (b"Title\rDek.\rBody.\r", "Title"),  # old Mac CR
    ],
)
def test_bom_and_line_endings(data, title):
    article = read_bytes(data)
    assert article.title == title
    assert article.dek == "Dek."
    assert article.lead[0].plain_text == "Body."


@pytest.mark.parametrize("command", [["email"], ["email", "--eml"], ["thread"], ["rss"]])
def test_output_over_the_article_itself_is_refused(cli, tmp_path, command):
    article = write(tmp_path, "a.txt", "Title\n\nA paragraph.\n")
    run = cli(*command, str(article), "-o", str(article))
    assert_one_error_line(run, "a.txt: is the article itself")
    assert article.read_text() == "Title\n\nA paragraph.\n"


def test_render_into_the_folder_it_reads_is_refused(cli, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    write(folder, "a.txt", "Title\n\nA paragraph.\n")
    run = cli("render", str(folder), "-o", str(folder))
    assert run.exit_code == 1
    assert "is the output folder or inside it" in run.stderr
    assert "Traceback" not in run.stderr
    assert [p.name for p in folder.iterdir()] == ["a.txt"]


def test_front_matter_language_must_be_a_language_tag(cli, tmp_path):
    article = write(tmp_path, "a.md", "---\ntitle: T\nlang: 'x\" onload=\"y'\n---\n\nBody.\n")
    run = cli("email", str(article))
    assert_one_error_line(run, "a.md:3: front matter 'lang' must be a language tag")
    for written, meant in (("en_US", "en-US"), ("en-US-x-twain", "en-US-x-twain")):
        article = write(tmp_path, "b.md", f"---\ntitle: T\nlang: {written}\n---\n\nBody.\n")
        run = cli("email", str(article))
        assert run.exit_code == 0, run.stderr
        assert f'lang="{meant}"' in run.stdout
