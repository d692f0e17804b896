"""`masthead init`: a commented masthead.toml (and, with --templates, a copy
of the built-in templates to make your own)."""

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from generator.cli.common import declare_commands, reports_errors, say
from generator.cli.group import SHORT_HELP
from generator.config import CONFIG_NAME, defaults_as_toml, load_config
from generator.errors import MastheadError
from generator.writers import write_atomic

commands = declare_commands()


@commands.command(short_help=SHORT_HELP["init"])
@reports_errors
def init(
    directory: Annotated[
        Path, typer.Argument(help="Where to write masthead.toml.", file_okay=False)
    ] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
    templates: Annotated[
        bool,
        typer.Option(
            "--templates",
            help="Also copy the built-in templates into DIRECTORY/templates to edit.",
        ),
    ] = False,
) -> None:
    """Write a commented masthead.toml with every setting at its default
    (and, with --templates, a copy of the built-in templates to make your own)."""
    target = directory / CONFIG_NAME
    if templates:
        _copy_templates(directory / "templates", force=force)
        if target.exists():
            # The user's config is theirs: say what to set rather than rewrite it.
            with contextlib.suppress(MastheadError):
                if load_config(target).templates_path() == (directory / "templates"):
                    return  # it uses them already
            say(f'{target} exists: set templates = "templates" in it to use the copies')
            return
        write_atomic(
            target, defaults_as_toml().replace('templates = ""', 'templates = "templates"')
        )
        say(f"wrote {target}")
        return
    if target.exists() and not force:
        raise MastheadError(
            "already exists; edit it, or pass --force to replace it with the defaults",
            str(target),
        )
    write_atomic(target, defaults_as_toml())
    say(f"wrote {target}")


def _copy_templates(destination: Path, *, force: bool) -> None:
    from generator.resources import templates_dir

    source = templates_dir()
    files = [p for p in sorted(source.rglob("*.j2")) if p.relative_to(source).parts[0] != "preview"]
    clashes = [destination / p.relative_to(source) for p in files]
    existing = [str(c) for c in clashes if c.exists()]
    if existing and not force:
        raise MastheadError(
            f"{len(existing)} template(s) already there; pass --force to replace them",
            existing[0],
        )
    for path, copy in zip(files, clashes, strict=True):
        copy.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(copy, path.read_bytes())
    say(f"copied {len(files)} templates into {destination}")
