"""Read the HTML tables an AppTest run drew (ui/views/html_table.py) back into DataFrames."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd


def _value(text: str):
    try:
        return int(text)
    except ValueError:
        return text


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[list[str], list[list]]] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(([], []))
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            header, rows = self.tables[-1]
            if not header:
                header.extend(self._row)
            else:
                rows.append([_value(v) for v in self._row])
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_frames(html: str) -> list[pd.DataFrame]:
    parser = _Tables()
    parser.feed(html)
    return [pd.DataFrame(rows, columns=header) for header, rows in parser.tables]
