"""WCAG 2.2 AA contrast of the mail room's words in both themes, computed from the values in
ui/components/mailroom/mailroom.css and the theme Streamlit hands the component
(--st-text-color, --st-background-color, --st-secondary-background-color from
.streamlit/config.toml): every fill a box holding words is painted with, and every rule that
dims words (a lost envelope's "@1" was drawn at 38 % opacity: 3.0:1 on the dark background).
Text needs 4.5:1; a mark (lost, refused) 3:1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.unit.test_contrast import THEME, contrast, over
from ui.views.palette import STYLE

CSS = (Path(__file__).resolve().parents[2] / "ui" / "components" / "mailroom" / "mailroom.css").read_text()
TEXT, MARK = 4.5, 3.0
MODES = ("light", "dark")
# The last part of a selector that holds words: SVG text, the HTML lines and controls, or
# anything at all (a universal or :not() selector).
WORDY = re.compile(
    r"(\btext|tspan|\.mr-(t|empty|count|help|now|chip|btn|title|head|small|tiny)\b|\*|:not\([^)]*\))\s*$"
)


def rules() -> list[tuple[list[str], dict[str, str]]]:
    """(selectors, declarations) of every rule, comments left out."""
    text = re.sub(r"/\*.*?\*/", "", CSS, flags=re.S)
    out = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        selectors = [part.strip() for part in re.split(r",(?![^(]*\))", selector)]
        declarations = dict(
            (name.strip(), value.strip()) for name, value in re.findall(r"([\w-]+)\s*:\s*([^;]+)", body)
        )
        out.append((selectors, declarations))
    return out


def colours(mode: str) -> dict[str, str]:
    theme = THEME[mode]
    return {"fg": theme["textColor"], "bg": theme["backgroundColor"], "panel": theme["secondaryBackgroundColor"]}


def grounds(mode: str) -> dict[str, str]:
    """Every colour words in the mail room are drawn on: the page, a box, and each tint a
    box holding words is filled with (over the page)."""
    c = colours(mode)
    out = {"background": c["bg"], "box": c["panel"]}
    for selectors, declarations in rules():
        fill = declarations.get("fill", "")
        if fill.startswith("rgba") and any(s.endswith("> rect") for s in selectors):
            out[selectors[0]] = over(fill, c["bg"])
    return out


def dimmed_words() -> list[tuple[str, float]]:
    """(selector, opacity) of every rule that dims something holding words (a disabled
    control is exempt in WCAG)."""
    out = []
    for selectors, declarations in rules():
        if "opacity" not in declarations:
            continue
        for selector in selectors:
            if WORDY.search(selector) and ":disabled" not in selector:
                out.append((selector, float(declarations["opacity"])))
    return out


def test_the_css_reader_finds_the_rules_this_test_judges():
    assert len(rules()) > 40
    assert len(grounds("light")) >= 5  # the page, a box and at least three tints
    assert ".mr-empty" in dict(dimmed_words())


def test_the_reader_counts_a_rule_dimming_everything_but_a_mark_as_dimming_words():
    assert WORDY.search(".mr-is-lost > :not(.mr-lostmark)")
    assert not WORDY.search(".mr-is-lost :is(.mr-tok-body, .mr-flap, .mr-icon)")


@pytest.mark.parametrize("mode", MODES)
def test_words_keep_aa_contrast_on_every_fill_of_the_picture(mode):
    fg = colours(mode)["fg"]
    low = {
        name: round(contrast(fg, ground), 2) for name, ground in grounds(mode).items() if contrast(fg, ground) < TEXT
    }
    assert not low, low


@pytest.mark.parametrize("mode", MODES)
def test_no_rule_dims_words_below_aa(mode):
    c = colours(mode)
    low = {}
    for selector, opacity in dimmed_words():
        for name in ("bg", "panel"):
            ratio = contrast(over(c["fg"], c[name], opacity), c[name])
            if ratio < TEXT:
                low[f"{selector} on {name}"] = round(ratio, 2)
    assert not low, low


def test_a_lost_envelopes_words_are_not_faded_with_its_paper():
    faded = [s for selectors, d in rules() if "opacity" in d for s in selectors if "mr-is-lost" in s]
    assert faded and not any(WORDY.search(s) for s in faded), faded


def test_words_on_an_envelope_lie_on_a_halo_of_the_background():
    halo = [d for selectors, d in rules() if ".mr-tok > text" in selectors]
    assert halo and halo[0].get("stroke") == "var(--mr-bg)" and halo[0].get("paint-order", "").startswith("stroke")


@pytest.mark.parametrize("mode", MODES)
def test_the_lost_and_refused_marks_stand_out_from_the_background(mode):
    mark = STYLE["duplicate"][0]  # --mr-duplicate, the marks' colour
    assert contrast(mark, colours(mode)["bg"]) >= MARK, (mode, mark)


def test_the_old_lost_rule_would_have_failed_in_the_dark_theme():
    c = colours("dark")
    ratio = contrast(over(c["fg"], c["bg"], 0.38), c["bg"])
    print(f"\na lost envelope's words at 38 % opacity, dark theme: {ratio:.2f}:1")
    assert ratio < TEXT
