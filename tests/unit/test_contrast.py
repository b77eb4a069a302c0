"""WCAG 2.2 AA contrast of the app's colours in both themes, computed (pure Python):
the theme of .streamlit/config.toml as Streamlit draws it, the row tints of the tables,
the glyphs beside the words.  Text needs 4.5:1; shapes and control edges 3:1.

How Streamlit 1.67 uses the theme (read from its frontend, checked by axe-core in
tests/e2e/test_accessibility.py): body text in textColor; captions, widget help, the
shortcut keys on buttons in textColor at 60 % opacity (theme `fadedText60`), code in
codeTextColor, likewise faded inside a caption; a primary button white on primaryColor;
the sidebar on its own background."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from ui.views import glyphs
from ui.views.palette import ROW_TINT, STYLE

ROOT = Path(__file__).resolve().parents[2]
THEME = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
# Streamlit's own sidebar backgrounds when the app keeps its default backgrounds
# (config option `theme.backgroundColor`, 1.67's description).
SIDEBAR = {"light": "#F8F8F7", "dark": "#21201D"}
FADED = 0.6  # fadedText60
TEXT, NON_TEXT = 4.5, 3.0
WHITE = "#FFFFFF"
MAILROOM_BOX = "rgba(140, 140, 140, 0.06)"  # ui/views/mailroom.py, a box's background


def rgb(colour: str) -> tuple[float, float, float, float]:
    """#RRGGBB or rgba(r, g, b, a) -> (r, g, b, alpha)."""
    if colour.startswith("#"):
        h = colour[1:]
        return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), 1.0
    r, g, b, a = (float(x) for x in re.findall(r"[\d.]+", colour))
    return r, g, b, a


def over(top: str, bottom: str, alpha: float | None = None) -> str:
    """`top` painted over the opaque `bottom` (at `alpha`, or its own), as #RRGGBB."""
    r1, g1, b1, a = rgb(top)
    r2, g2, b2, _ = rgb(bottom)
    a = a if alpha is None else alpha
    return "#" + "".join(f"{round(a * x + (1 - a) * y):02X}" for x, y in ((r1, r2), (g1, g2), (b1, b2)))


def luminance(colour: str) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b, _ = rgb(colour)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def backgrounds(mode: str) -> dict[str, str]:
    theme = THEME[mode]
    return {"app": theme["backgroundColor"], "widgets": theme["secondaryBackgroundColor"], "sidebar": SIDEBAR[mode]}


MODES = ("light", "dark")


def test_the_helpers_agree_with_known_ratios():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert over("rgba(0, 0, 0, 0.5)", "#FFFFFF") == "#808080"
    # the grey axe measured for Streamlit's default caption on white: 3.88
    assert contrast(over("#2F2D2B", WHITE, FADED), WHITE) == pytest.approx(3.88, abs=0.02)


def test_both_themes_are_defined_with_every_colour_this_test_reads():
    for mode in MODES:
        assert {
            "primaryColor",
            "backgroundColor",
            "secondaryBackgroundColor",
            "textColor",
            "codeTextColor",
            "linkColor",
        } <= set(THEME[mode]), mode


@pytest.mark.parametrize("mode", MODES)
def test_text_and_faded_text_read_on_every_background(mode):
    theme = THEME[mode]
    for where, bg in backgrounds(mode).items():
        for name in ("textColor", "codeTextColor"):
            assert contrast(theme[name], bg) >= TEXT, (mode, name, where)
            faded = over(theme[name], bg, FADED)
            assert contrast(faded, bg) >= TEXT, (mode, f"{name} in a caption", where, round(contrast(faded, bg), 2))
        assert contrast(theme["linkColor"], bg) >= TEXT, (mode, "link", where)


@pytest.mark.parametrize("mode", MODES)
def test_primary_colour_carries_white_text_and_stands_out_as_a_control(mode):
    primary = THEME[mode]["primaryColor"]
    assert contrast(WHITE, primary) >= TEXT, (mode, round(contrast(WHITE, primary), 2))
    for where, bg in backgrounds(mode).items():
        assert contrast(primary, bg) >= NON_TEXT, (mode, where, round(contrast(primary, bg), 2))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("tint", sorted(ROW_TINT))
def test_table_text_reads_on_every_row_tint(mode, tint):
    text = THEME[mode]["textColor"]
    for where, bg in backgrounds(mode).items():
        row = over(ROW_TINT[tint], bg)
        assert contrast(text, row) >= TEXT, (mode, tint, where, round(contrast(text, row), 2))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("meaning", sorted(STYLE))
def test_every_glyph_has_an_edge_that_stands_out(mode, meaning):
    """A glyph is drawn in its colour with a dark edge (glyphs.EDGE): on a light page
    the edge stands out, on a dark page the colour; either must reach 3:1.  Glyphs sit
    on the page (the mail room's boxes, the legend), not on widgets or the sidebar."""
    colour = STYLE[meaning][0]
    svg = glyphs.svg(meaning)
    assert glyphs.EDGE in svg and colour in svg
    page = backgrounds(mode)["app"]
    for where, bg in {"page": page, "mail room box": over(MAILROOM_BOX, page)}.items():
        best = max(contrast(colour, bg), contrast(glyphs.EDGE, bg))
        assert best >= NON_TEXT, (mode, meaning, where, round(best, 2))


def test_palette_colours_are_told_apart_by_shape_and_word_too():
    """Colour is never alone: every meaning has its own (symbol, word) pair."""
    pairs = [(symbol, word) for _colour, symbol, word in STYLE.values()]
    assert len(set(pairs)) == len(pairs)
