"""A small table as plain HTML: real <table>/<th scope> markup with a caption for screen
readers, rows tinted by meaning (the words are in the cells too).  Pure: frame -> HTML.

Short tables are drawn this way instead of st.dataframe: no canvas grid and no Arrow
decoder to download, so the playground's first paint is about a second quicker, and
every value stays visible on a projector."""

from __future__ import annotations

from html import escape

import pandas as pd

from ui.views import safe
from ui.views.html_style import SCREEN_READER_ONLY

CSS = (
    """<style>
.idl-table-box{overflow-x:auto}
.idl-table{border-collapse:collapse;width:100%;font-size:.92rem}
.idl-table th,.idl-table td{padding:.3rem .45rem;text-align:left;vertical-align:top;
  border-bottom:1px solid rgba(140,140,140,.45)}
.idl-table th{font-weight:600;border-bottom-width:2px}
"""
    + SCREEN_READER_ONLY
    + "</style>"
)


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    # A cell may have a second line (a Java exception's message); control characters are shown, not obeyed.
    return "<br>".join(safe.html(line) for line in str(value).split("\n"))


def html_table(frame: pd.DataFrame, tints: list[str] | None = None, caption: str = "") -> str:
    """`tints` holds one CSS declaration per row ("" for none), as ui/views/row_tints.py makes."""
    head = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in frame.columns)
    rows = []
    for i, values in enumerate(frame.itertuples(index=False)):
        style = f' style="{escape(tints[i])}"' if tints and tints[i] else ""
        cells = "".join(f"<td>{_cell(v)}</td>" for v in values)
        rows.append(f"<tr{style}>{cells}</tr>")
    caption_html = f'<caption class="idl-sr">{escape(caption)}</caption>' if caption else ""
    return (
        f'{CSS}<div class="idl-table-box"><table class="idl-table">{caption_html}'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )
