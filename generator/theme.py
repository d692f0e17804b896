"""Email themes: the built-in ones (`themes.toml`) and the config's overrides.

A theme is a flat table of colours, sizes and the font stack. The config
picks a built-in theme and may override any colour; every text/background
pair must keep WCAG AA contrast (4.5:1), checked when the config loads.
"""

from __future__ import annotations

import colorsys
from functools import cache
from typing import Any

from generator.resources import data_table

DEFAULT_THEME = "classic"
AA = 4.5
# The takeaways box: the accent over the card at this opacity.
BOX_TINT = 0.08
DARK_BOX_TINT = 0.12

# (foreground, background): every pair a reader sees, light and dark.
CONTRAST_PAIRS = (
    ("text", "card"),
    ("muted", "card"),
    ("accent", "card"),
    ("on_accent", "accent"),
    ("text", "box"),
    ("muted", "page"),
    ("dark_text", "dark_card"),
    ("dark_muted", "dark_card"),
    ("dark_accent", "dark_card"),
    ("dark_card", "dark_accent"),
    ("dark_text", "dark_box"),
    ("dark_muted", "dark_page"),
)
# Links inside the takeaways box: checked by `masthead check` as a warning.
BOX_PAIRS = (("accent", "box"), ("dark_accent", "dark_box"))
# Colours a config may set ([theme] in masthead.toml).
COLOUR_KEYS = (
    "page", "card", "text", "muted", "accent", "on_accent", "code", "rule",
    "dark_page", "dark_card", "dark_text", "dark_muted", "dark_accent", "dark_code", "dark_rule",
)  # fmt: skip


@cache
def themes() -> dict[str, dict[str, Any]]:
    return data_table("themes.toml")


def resolve(name: str, overrides: dict[str, Any]) -> dict[str, Any]:
    """The theme `name` with `overrides` applied and derived colours added."""
    theme = dict(themes()[name])
    overrides = {k: v for k, v in overrides.items() if v not in ("", None)}
    theme.update(overrides)
    if "accent" in overrides and "dark_accent" not in overrides:
        # A brand colour is kept in dark mode too, lightened until it reads.
        theme["dark_accent"] = lightened(theme["accent"], theme["dark_card"])
    theme["box"] = mix(theme["accent"], theme["card"], BOX_TINT)
    theme["dark_box"] = mix(theme["dark_accent"], theme["dark_card"], DARK_BOX_TINT)
    return theme


def low_contrast(theme: dict[str, Any]) -> list[tuple[str, str, float]]:
    """Every (foreground, background, ratio) pair below WCAG AA."""
    return [
        (fg, bg, ratio)
        for fg, bg in CONTRAST_PAIRS
        if (ratio := contrast(theme[fg], theme[bg])) < AA
    ]


def nearest_passing_shade(name: str, overrides: dict[str, Any], key: str) -> str | None:
    """The shade of the colour `overrides[key]` nearest to it — the same hue
    and saturation, lighter or darker by the least — with which every pair
    that involves `key` keeps WCAG AA contrast and no other pair loses it.
    None when no shade does (its partner is mid-grey, say)."""
    before = {(fg, bg) for fg, bg, _ in low_contrast(resolve(name, overrides))}
    hue, lightness, saturation = colorsys.rgb_to_hls(*(c / 255 for c in _rgb(overrides[key])))
    for step in range(1, _SHADE_STEPS + 1):
        for sign in (-1, 1):  # darker first: at equal distance either will do
            shade = lightness + sign * step / _SHADE_STEPS
            if not 0 <= shade <= 1:
                continue
            rgb = colorsys.hls_to_rgb(hue, shade, saturation)
            candidate = "#" + "".join(f"{round(c * 255):02x}" for c in rgb)
            theme = resolve(name, {**overrides, key: candidate})
            after = {(fg, bg) for fg, bg, _ in low_contrast(theme)}
            if after <= before and not any(key in pair for pair in after):
                return candidate
    return None


# Lightness steps from black to white: fine enough that the shade found is
# within half a percent of the nearest that passes.
_SHADE_STEPS = 400


def lightened(colour: str, background: str) -> str:
    """`colour` mixed with white in small steps until it has AA contrast on a
    dark `background` (as text, and as a button under `background`-coloured
    text) and on the box it tints (links in the takeaways box)."""
    for step in range(21):
        candidate = mix("#ffffff", colour, step / 20)
        box = mix(candidate, background, DARK_BOX_TINT)
        if min(contrast(candidate, background), contrast(candidate, box)) >= AA + 0.1:
            return candidate  # + 0.1: a margin for rounding
    return "#ffffff"


def mix(colour: str, base: str, amount: float) -> str:
    """`colour` laid over `base` at `amount` opacity."""
    a, b = _rgb(colour), _rgb(base)
    return "#" + "".join(
        f"{round(x * amount + y * (1 - amount)):02x}" for x, y in zip(a, b, strict=True)
    )


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _luminance(colour: str) -> float:
    channels = [c / 255 for c in _rgb(colour)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
