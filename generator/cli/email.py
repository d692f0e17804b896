"""`masthead email`: the newsletter email (HTML, plain text or .eml), or a
test email sent through the config's SMTP server."""

import os
import sys
from typing import Annotated

import typer

from generator.cli.common import (
    declare_commands,
    emit,
    load,
    one_article,
    reports_errors,
    say,
    write,
)
from generator.cli.group import SHORT_HELP
from generator.cli.options import (
    ArticleArg,
    ConfigOption,
    EspOption,
    InputFormatOption,
    OutputOption,
    ThemeOption,
)

commands = declare_commands()


@commands.command(short_help=SHORT_HELP["email"])
@reports_errors
@one_article
def email(
    article: ArticleArg,
    output: OutputOption = None,
    esp: EspOption = None,
    text: Annotated[bool, typer.Option("--text", help="Print the plain-text part.")] = False,
    eml: Annotated[
        bool, typer.Option("--eml", help="Write a complete message file (.eml) instead.")
    ] = False,
    subject: Annotated[
        str | None, typer.Option("--subject", help="Subject line (default: the article's).")
    ] = None,
    theme: ThemeOption = None,
    send_test: Annotated[
        str | None,
        typer.Option(
            "--send-test",
            metavar="ADDRESS",
            help="Send the email (as --eml makes it, subject prefixed '[Test] ') to this one "
            "address through the [smtp] server of the config; the password comes only from "
            "MASTHEAD_SMTP_PASSWORD.",
        ),
    ] = None,
    smtp: Annotated[
        str | None,
        typer.Option(
            "--smtp",
            metavar="HOST[:PORT]",
            help="SMTP server for --send-test, instead of [smtp] host and port "
            "(an IPv6 address in brackets; default port: 587, 465 or 25 by [smtp] security).",
        ),
    ] = None,
    config: ConfigOption = None,
    input_format: InputFormatOption = None,
) -> None:
    """Render the article as a newsletter email: HTML (default), plain text or .eml;
    or send it as a test email with --send-test."""
    from generator.channels.email import build_email
    from generator.config import load_config

    if text and eml:
        raise typer.BadParameter("choose one of --text and --eml", param_hint="--text/--eml")
    if smtp is not None and send_test is None:
        raise typer.BadParameter("is the server for --send-test ADDRESS", param_hint="--smtp")
    if send_test is not None and (text or eml or output is not None):
        raise typer.BadParameter(
            "sends the email; it does not combine with --text, --eml or --output",
            param_hint="--send-test",
        )
    cfg = load_config(config)
    box = None
    if send_test is not None:  # everything checked before rendering or connecting
        from generator.publish import smtp as sending

        try:
            recipient = sending.parse_recipient(send_test)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--send-test") from None
        try:
            box = sending.outbox(cfg, recipient, smtp, os.environ.get(sending.PASSWORD_ENV, ""))
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--smtp") from None
    parsed = load(article, cfg, input_format, output)
    message = build_email(
        parsed,
        cfg,
        esp=esp.value if esp else None,
        subject=subject,
        theme=theme.value if theme else None,
    )
    if eml or box is not None:
        from generator.channels.email.eml import build_eml
        from generator.clock import now

        data = build_eml(  # the one message: a test email is this .eml, marked
            subject=(sending.SUBJECT_PREFIX if box is not None else "") + message.subject,
            text=message.text,
            html=message.html,
            config=cfg,
            now=now(),
            esp=esp.value if esp else None,
        )
        if box is not None:
            sending.send(data, box)
            say(f"sent test email to {send_test} via {box.server.address}")
            return
        if output is None or output == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            write(output, data)
        return
    emit(message.text if text else message.html + "\n", output)
