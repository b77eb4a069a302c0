"""Collects markers, labels and shapes, then builds one plotly Figure in a single call.
(Adding them one by one with add_trace/add_annotation costs ~5 ms each.)  Pure."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from ui.views.palette import STYLE


class FigureParts:
    def __init__(self) -> None:
        self.markers: dict[str, dict[str, list]] = {}
        self.annotations: list[dict[str, Any]] = []
        self.shapes: list[dict[str, Any]] = []

    def marker(self, meaning: str, x: float, y: float, hover: str, size: int = 12) -> None:
        group = self.markers.setdefault(meaning, {"x": [], "y": [], "text": [], "size": []})
        group["x"].append(x)
        group["y"].append(y)
        group["text"].append(f"{STYLE[meaning][2]}: {hover}")
        group["size"].append(size)

    def label(self, x: float, y: float, text: str, **style: Any) -> None:
        self.annotations.append({"x": x, "y": y, "text": text, "showarrow": False, **style})

    def arrow(self, y: float, start: float, end: float, colour: str, width: int) -> None:
        self.annotations.append(
            {
                "x": end,
                "y": y,
                "ax": start,
                "ay": y,
                "xref": "x",
                "yref": "y",
                "axref": "x",
                "ayref": "y",
                "text": "",
                "showarrow": True,
                "arrowhead": 3,
                "arrowsize": 1.4,
                "arrowwidth": width,
                "arrowcolor": colour,
            }
        )

    def shape(self, **spec: Any) -> None:
        self.shapes.append(spec)

    def figure(self, **layout: Any) -> go.Figure:
        traces = []
        for meaning, group in self.markers.items():
            colour, symbol, word = STYLE[meaning]
            traces.append(
                go.Scatter(
                    x=group["x"],
                    y=group["y"],
                    mode="markers",
                    name=word,
                    hovertext=group["text"],
                    hoverinfo="text",
                    marker={
                        "color": colour,
                        "symbol": symbol,
                        "size": group["size"],
                        "line": {"color": colour, "width": 2},
                    },
                    showlegend=False,
                )
            )
        return go.Figure(
            data=traces,
            layout={
                "annotations": self.annotations,
                "shapes": self.shapes,
                "plot_bgcolor": "rgba(0,0,0,0)",
                "paper_bgcolor": "rgba(0,0,0,0)",
                "showlegend": False,
                **layout,
            },
        )
