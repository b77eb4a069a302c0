"""Okabe-Ito colours with a marker shape and a word for every meaning, so nothing is
told by colour alone.  Colours are chosen to read on both light and dark backgrounds."""

ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#8C8C8C"  # mid grey: visible on white and on the dark theme

# meaning -> (colour, plotly marker symbol, word)
STYLE = {
    "request": (BLUE, "triangle-right", "request"),
    "retry": (ORANGE, "triangle-right-open", "retry"),
    "response": (GREEN, "triangle-left", "acknowledgement"),
    "error": (VERMILLION, "triangle-left-open", "error reply"),
    "lost": (VERMILLION, "x", "lost"),
    "appended": (GREEN, "square", "stored"),
    "duplicate": (VERMILLION, "diamond", "duplicate"),
    "rejected": (PURPLE, "x-thin-open", "rejected"),
    "dedup": (SKY, "circle-open", "recognised as duplicate, not stored again"),
    "delivered": (GREEN, "circle", "delivered"),
    "failed": (VERMILLION, "circle-x", "failed"),
    "waiting": (GREY, "circle-open", "waiting"),
    "producer": (BLUE, "star", "producer"),
    "broker": (PURPLE, "hexagon", "broker"),
    "note": (GREY, "circle-dot", "note"),
}

# Row tints for tables: translucent so they work on light and dark themes.
ROW_TINT = {
    "duplicate": "rgba(213, 94, 0, 0.28)",
    "reordered": "rgba(204, 121, 167, 0.30)",
    "misreported": "rgba(230, 159, 0, 0.30)",
    "fault": "rgba(213, 94, 0, 0.22)",
    "current": "rgba(86, 180, 233, 0.28)",
}


def colour(meaning: str) -> str:
    return STYLE[meaning][0]


def symbol(meaning: str) -> str:
    return STYLE[meaning][1]
