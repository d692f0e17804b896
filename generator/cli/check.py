"""`masthead check`: lint articles across every channel, writing nothing."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from generator.cli.common import declare_commands, load, reports_errors, say
from generator.cli.group import SHORT_HELP
from generator.cli.options import ConfigOption, EspOption, InputFormatOption
from generator.errors import MastheadError

commands = declare_commands()


class CheckFormat(StrEnum):
    text = "text"
    json = "json"


@commands.command(short_help=SHORT_HELP["check"])
@reports_errors
def check(
    paths: Annotated[
        list[str],
        typer.Argument(metavar="PATH...", help="Article files, or folders to search for them."),
    ],
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 on warnings too, not only on errors.")
    ] = False,
    format: Annotated[
        CheckFormat, typer.Option("--format", "-f", help="Lines for people, JSON for CI.")
    ] = CheckFormat.text,
    esp: EspOption = None,
    config: ConfigOption = None,
    input_format: InputFormatOption = None,
) -> None:
    """Lint articles across every channel, writing nothing: warnings exit 0
    (1 with --strict), errors exit 1."""
    import json

    from generator.check import check_article, check_config
    from generator.config import load_config
    from generator.render import find_articles

    cfg = load_config(config)
    service = esp.value if esp else None
    findings = list(check_config(cfg, esp=service))
    for path in find_articles(paths, Path(".masthead-no-output")):
        try:
            article = load(str(path), cfg, input_format)
        except MastheadError as exc:
            from generator.check import Finding

            findings.append(
                Finding(exc.path or str(path), "error", "unreadable", exc.message, exc.line)
            )
            continue
        findings.extend(check_article(article, cfg, str(path), esp=service))
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    if format is CheckFormat.json:
        typer.echo(
            json.dumps(
                {
                    "errors": errors,
                    "warnings": warnings,
                    "findings": [f.as_dict() for f in findings],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for finding in findings:
            say(finding.as_line())
        say(f"{errors} error(s), {warnings} warning(s)")
    if errors or (strict and warnings):
        raise typer.Exit(1)
