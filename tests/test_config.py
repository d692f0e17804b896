"""Config discovery, validation, defaults, `masthead init` and SOURCE_DATE_EPOCH."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import SEED

from generator.clock import now
from generator.config import Config, load_config, parse_config
from generator.errors import ConfigError, MastheadError

BODY = "Title\nDek.\nBody.\n"


def test_no_config_gives_defaults(tmp_path):
    config = load_config()
    assert config == Config()
    # No fake data: where no honest default exists the value is empty.
    assert config.site_url == ""
    assert config.postal_address == ""
    assert config.sender.name == config.sender.address == ""
    assert config.lang == "en"
    assert config.utm.enabled is False


def test_discovered_in_parent_directory(tmp_path, monkeypatch, cli):
    (tmp_path / "masthead.toml").write_text('lang = "de"\n', encoding="utf-8")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    assert load_config().lang == "de"
    # The config's language is the default for articles.
    run = cli("inspect", "-", "-f", "json", input=BODY.encode())
    assert run.json()["lang"] == "de"


def test_explicit_config_option(tmp_path, cli):
    path = tmp_path / "other.toml"
    path.write_text('lang = "fr"\n[brand]\nname = "Le Journal"\n', encoding="utf-8")
    run = cli("inspect", "-", "-f", "json", "--config", path, input=BODY.encode())
    assert run.exit_code == 0, run.stderr
    assert run.json()["lang"] == "fr"
    assert load_config(path).brand.name == "Le Journal"


def test_missing_explicit_config(cli, tmp_path):
    run = cli("inspect", "-", "--config", tmp_path / "none.toml", input=BODY.encode())
    assert run.exit_code == 1
    assert "none.toml: config file not found" in run.stderr


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (
            'lang = "en"\n[brand]\ncolour = "#fff"\n',
            ["masthead.toml:3:", "unknown key 'brand.colour'"],
        ),
        ('site_url = "example.com"\n', ["masthead.toml:1:", "'site_url'", "absolute http(s) URL"]),
        ('[brand]\naccent = "blue"\n', ["masthead.toml:2:", "'brand.accent'", "hex colour"]),
        ("[utm]\nenabled = 1\n", ["masthead.toml:2:", "'utm.enabled' must be true or false"]),
        ('[utm]\ncampaign = "{nope}"\n', ["'utm.campaign'", "{slug}"]),
        ('[sender]\naddress = "not-an-email"\n', ["'sender.address'", "email address"]),
        ('lang = "english please"\n', ["'lang'", "language tag"]),
        ('brand = "x"\n', ["'brand' must be a table"]),
        ('lang = "en\n', ["masthead.toml:1:", "invalid TOML"]),
    ],
)
def test_invalid_config_names_the_key(tmp_path, cli, text, fragments):
    (tmp_path / "masthead.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config()
    for fragment in fragments:
        assert fragment in str(info.value)
    run = cli("inspect", "-", input=BODY.encode())
    assert run.exit_code == 1
    assert run.stderr.count("\n") == 1
    assert run.stderr.startswith("error: ")


def test_full_config_round_trip():
    config = parse_config(
        'site_url = "https://news.example.com"\nlang = "en-GB"\n'
        'postal_address = "1 High St, Town"\n'
        '[brand]\nname = "The Ledger"\nlogo_url = "https://news.example.com/logo.png"\n'
        'accent = "#aa3300"\n'
        '[sender]\nname = "Ledger"\naddress = "news@example.com"\n'
        '[utm]\nenabled = true\ncampaign = "weekly-{slug}"\n'
    )
    assert config.site_url == "https://news.example.com"
    assert config.brand.name == "The Ledger"
    assert config.brand.accent == "#aa3300"
    assert config.sender.address == "news@example.com"
    assert config.utm.enabled is True
    assert config.utm.campaign.format(slug="x") == "weekly-x"


def test_init_writes_defaults_and_refuses_to_overwrite(tmp_path, cli):
    run = cli("init")
    assert run.exit_code == 0, run.stderr
    written = tmp_path / "masthead.toml"
    text = written.read_text(encoding="utf-8")
    assert text.startswith("# Masthead configuration")
    # The commented file loads to exactly the embedded defaults.
    assert parse_config(text) == Config()

    written.write_text('lang = "de"\n', encoding="utf-8")
    run = cli("init")
    assert run.exit_code == 1
    assert "already exists" in run.stderr and "--force" in run.stderr
    assert written.read_text(encoding="utf-8") == 'lang = "de"\n'

    assert cli("init", "--force").exit_code == 0
    assert parse_config(written.read_text(encoding="utf-8")) == Config()


def test_init_into_directory(tmp_path, cli):
    target = tmp_path / "site"
    target.mkdir()
    assert cli("init", target).exit_code == 0
    assert (target / "masthead.toml").is_file()


def test_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1772530200")
    assert now() == datetime(2026, 3, 3, 9, 30, tzinfo=UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(MastheadError, match="SOURCE_DATE_EPOCH"):
        now()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert now().tzinfo is not None


def test_a_templates_path_with_an_unknown_home_is_a_config_error(tmp_path):
    from generator.config import ConfigError, parse_config

    with pytest.raises(ConfigError, match="templates: no such folder ~nosuchuser-masthead/x"):
        parse_config('templates = "~nosuchuser-masthead/x"\n')


def test_toml_escapes_make_no_control_characters_in_what_is_sent(tmp_path, cli):
    """A TOML escape ("\\u001b", "\\u0000", "\\u009b") makes a control character
    only once the file is parsed: the config's strings get the article text's
    rule, so none reaches the email (HTML, text part, headers) or the feed."""
    config = tmp_path / "masthead.toml"
    config.write_text(
        'site_url = "https://news.example.com"\n'
        'postal_address = "1 High St\\u0000, Town\\u001b[2J"\n'
        '[brand]\nname = "The\\u009b Ledger\\u001b]0;PWN\\u0007"\n'
        '[sender]\nname = "Led\\u0007ger"\naddress = "news@example.com"\n',
        encoding="utf-8",
    )
    loaded = load_config(config)
    assert loaded.brand.name == "The Ledger"
    assert loaded.postal_address == "1 High St, Town"
    out = tmp_path / "out"
    run = cli("render", SEED, "-o", out, "-c", config, "-q")
    assert run.exit_code == 0, run.stderr
    controls = set(map(chr, [*range(0x00, 0x09), *range(0x0E, 0x20), *range(0x7F, 0xA0)]))
    written = [path for path in out.rglob("*") if path.is_file()]
    assert any(path.name == "email.eml" for path in written)
    for path in written:
        text = path.read_bytes().decode("utf-8", "replace")
        assert not controls & set(text), path.name
