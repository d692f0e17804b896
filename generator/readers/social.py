"""The author's word on social threads: `social:` in the front matter, or a
`[social]` table in `NAME.social.toml` beside a plain-text `NAME.txt`.

Both hold the same keys:

    hook   the first post's words, instead of the title and fact Masthead picks
    close  the closing post's line, instead of "why it matters"
    skip   sentences, list items, quotes or headings to leave out (a text, or
           a list of them; a heading leaves out its whole section)

and a table per platform for what differs there (`social.x.hook`, `[social.x]`;
a platform by any of its names: `twitter` is `x`). In Markdown the keys may
also be written flat: `social.hook: …`, `social.x.hook: …`.

Every value is the author's text, used as written: channels still count it
and treat it as text, never as markup. A mistake is an error naming the file,
the line where known and what to write instead. The sidecar file is read
here, in the reader layer, because channels never read files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from generator.errors import ReaderError
from generator.files import NotRegularFileError, read_regular_file
from generator.model import NO_SOCIAL, Social, Steer
from generator.readers.source import Source, decode
from generator.resources import data_names
from generator.text.sanitize import clean_strings

KEYS = ("hook", "close", "skip")
SIDECAR_SUFFIX = ".social.toml"


def sidecar_path(source: Source) -> Path | None:
    """Where a file's `NAME.social.toml` would be; None for standard input."""
    if source.stem is None or source.name in ("", "-", "<stdin>"):
        return None
    return Path(source.name).with_name(source.stem + SIDECAR_SUFFIX)


def sidecar_bytes(path: str | Path) -> bytes:
    """The bytes of the article at `path`'s social sidecar, b"" when it has
    none: what a render's cache must see change."""
    found = sidecar_path(Source("", str(path), Path(path).stem))
    return b"" if found is None else _read_sidecar_file(found)


def _read_sidecar_file(found: Path) -> bytes:
    try:
        return read_regular_file(found)
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return b""
    except NotRegularFileError:
        raise ReaderError("is not a regular file; save it as a TOML file", str(found)) from None
    except OSError as exc:
        raise ReaderError(f"cannot read the file ({exc.strerror})", str(found)) from None


def read_sidecar(source: Source) -> Social:
    """The `[social]` table of the sidecar beside `source`, if there is one."""
    path = sidecar_path(source)
    if path is None:
        return NO_SOCIAL
    data = _read_sidecar_file(path)
    if not data:
        return NO_SOCIAL
    import tomllib  # here: most articles have no sidecar

    name = str(path)
    text = decode(data, name)
    try:
        # TOML's escapes ("\u001b") make what decode() took out: cleaned again.
        table = clean_strings(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_of_error(str(exc))
        message = str(exc).split(" (at ")[0]
        raise ReaderError(f"is not valid TOML: {message}", name, line) from None
    lines = _toml_lines(text)
    unknown = [key for key in table if key != "social"]
    if unknown:
        raise ReaderError(
            f"unknown table or key '{unknown[0]}'; this file holds one [social] table",
            name,
            lines.get(("", unknown[0])),
        )
    social = table.get("social", {})
    if not isinstance(social, dict):
        raise ReaderError("'social' must be a table: [social]", name, lines.get(("", "social")))

    def line_of(path: tuple[str, ...]) -> int | None:
        table_name = ".".join(("social", *path[:-1]))
        return (
            lines.get((table_name, path[-1]))  # a key: hook = "…"
            or lines.get(("", f"{table_name}.{path[-1]}"))  # a table: [social.x]
            or lines.get(("", table_name))
        )

    return parse_social(social, name, line_of, "social")


def parse_social(
    value: Any, name: str, line_of: Any, where: str = "social", label: str = ""
) -> Social:
    """`value` (a mapping of hook/close/skip and platform tables) as a
    `Social`; `line_of(path)` gives the line of a key path, where known."""
    if value is None:
        return NO_SOCIAL
    if not isinstance(value, Mapping):
        raise ReaderError(
            f"{label}'{where}' must be a table of hook, close and skip", name, line_of((where,))
        )
    shared: dict[str, Any] = {}
    per_platform: dict[str, tuple[str, Mapping[str, Any]]] = {}
    names = data_names("platforms.toml")
    for key, item in value.items():
        key = str(key)
        if key in KEYS:
            shared[key] = item
            continue
        platform = names.get(key.lower())
        if platform is None:
            known = ", ".join(sorted(set(names.values())))
            raise ReaderError(
                f"{label}'{where}.{key}' is not a key Masthead knows; use hook, close, skip, "
                f"or a platform's "
                f"table ({known})",
                name,
                line_of((key,)),
            )
        if platform in per_platform:
            first = per_platform[platform][0]
            raise ReaderError(
                f"{label}'{where}.{key}' and '{where}.{first}' are the same platform; keep one",
                name,
                line_of((key,)),
            )
        if not isinstance(item, Mapping):
            raise ReaderError(
                f"{label}'{where}.{key}' must be a table of hook, close and skip",
                name,
                line_of((key,)),
            )
        per_platform[platform] = (key, item)
    steer = _steer(shared, name, line_of, label + f"'{where}", ())
    platforms = tuple(
        (platform, _steer(item, name, line_of, label + f"'{where}.{key}", (key,)))
        for platform, (key, item) in sorted(per_platform.items())
    )
    if steer == Steer() and all(own == Steer() for _, own in platforms):
        return NO_SOCIAL
    return Social(steer, tuple((k, s) for k, s in platforms if s != Steer()))


def _steer(
    values: Mapping[str, Any], name: str, line_of: Any, where: str, path: tuple[str, ...]
) -> Steer:
    for key in values:
        if str(key) not in KEYS:
            raise ReaderError(
                f"{where}.{key}' is not a key Masthead knows; use hook, close or skip",
                name,
                line_of((*path, str(key))),
            )

    def text(key: str) -> str | None:
        item = values.get(key)
        if item is None:
            return None
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            raise ReaderError(
                f"{where}.{key}' must be text (the words to post)",
                name,
                line_of((*path, key)),
            )
        words = " ".join(str(item).split())
        return words or None

    skip = values.get("skip")
    if skip is None:
        skipped: tuple[str, ...] = ()
    elif isinstance(skip, str):
        skipped = (skip,)
    elif isinstance(skip, list) and all(isinstance(s, str) for s in skip):
        skipped = tuple(skip)
    else:
        raise ReaderError(
            f"{where}.skip' must be a text or a list of texts (sentences or headings)",
            name,
            line_of((*path, "skip")),
        )
    skipped = tuple(words for s in skipped if (words := " ".join(s.split())))
    return Steer(hook=text("hook"), close=text("close"), skip=skipped)


def from_front_matter(
    meta: Mapping[str, Any], name: str, lines: Mapping[str, int]
) -> tuple[Social, frozenset[str]]:
    """The `social` steer of Markdown front matter, nested (`social: {hook: …}`)
    or flat (`social.hook: …`, `social.x.hook: …`), and the keys it used."""
    used = {key for key in meta if key == "social" or str(key).startswith("social.")}
    if not used:
        return NO_SOCIAL, frozenset()
    value = meta.get("social")
    if value is not None and not isinstance(value, Mapping):
        raise ReaderError(
            "front matter 'social' must be a mapping of hook, close and skip",
            name,
            lines.get("social"),
        )
    merged: dict[str, Any] = {
        k: (dict(v) if isinstance(v, Mapping) else v) for k, v in (value or {}).items()
    }
    for key in sorted(k for k in used if k != "social"):
        parts = str(key).split(".")[1:]
        if len(parts) == 1:
            merged[parts[0]] = meta[key]
        elif len(parts) == 2:
            table = merged.setdefault(parts[0], {})
            if not isinstance(table, dict):
                raise ReaderError(
                    f"front matter '{key}': 'social.{parts[0]}' is not a table",
                    name,
                    lines.get(str(key)),
                )
            table[parts[1]] = meta[key]
        else:
            raise ReaderError(
                f"front matter '{key}' is not a key Masthead knows; use social.hook, "
                "social.close, social.skip or social.<platform>.hook",
                name,
                lines.get(str(key)),
            )

    def line_of(path: tuple[str, ...]) -> int | None:
        flat = "social." + ".".join(path)
        return lines.get(flat) or lines.get("social")

    return parse_social(merged, name, line_of, "social", "front matter "), frozenset(used)


_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*("?)([A-Za-z0-9_.-]+)\1\s*=""")


def _toml_lines(text: str) -> dict[tuple[str, str], int]:
    """(table, key) -> line, for error messages; ("", table) for a header."""
    lines: dict[tuple[str, str], int] = {}
    table = ""
    for number, line in enumerate(text.split("\n"), start=1):
        if header := _HEADER.match(line):
            table = ".".join(part.strip().strip('"') for part in header.group(1).split("."))
            lines.setdefault(("", table), number)
            continue
        if key := _KEY.match(line):
            dotted = key.group(2).split(".")
            scope = ".".join(filter(None, (table, *dotted[:-1])))
            lines.setdefault((scope, dotted[-1]), number)
            if not table:
                lines.setdefault(("", dotted[0]), number)
    return lines


def _line_of_error(message: str) -> int | None:
    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else None
