"""A class's answers to one question: horizontal bars in Okabe-Ito colours, each with
its letter, count and share written beside it (never colour alone), and a table of the
same numbers.  Pure: counts -> HTML."""

from __future__ import annotations

from html import escape

from ui.views.palette import BLUE, GREEN, ORANGE, PURPLE, SKY, VERMILLION, YELLOW

COLOURS = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW)
_CSS = """<style>
.idl-class-chart{margin:.25rem 0 1rem;font-size:1.1rem}
.idl-class-chart .row{display:grid;grid-template-columns:minmax(12rem,40%) 1fr 7rem;gap:.75rem;
  align-items:center;margin:.35rem 0}
.idl-class-chart .label{overflow-wrap:anywhere}
.idl-class-chart .track{background:rgba(140,140,140,.15);border-radius:.3rem;height:1.6em}
.idl-class-chart .bar{height:100%;border-radius:.3rem;min-width:2px}
.idl-class-chart .count{font-variant-numeric:tabular-nums;font-weight:600}
.idl-class-chart table{border-collapse:collapse;margin-top:.4rem}
.idl-class-chart td,.idl-class-chart th{border:1px solid rgba(140,140,140,.5);padding:.2rem .6rem;text-align:left}
</style>"""


def letter(index: int) -> str:
    return chr(65 + index)


def share(count: int, total: int) -> str:
    return f"{round(100 * count / total)} %" if total else "–"


def answers_html(choices, counts: list[int], caption: str) -> str:
    total = sum(counts)
    most = max(counts) if counts and max(counts) else 1
    rows = []
    for i, (choice, count) in enumerate(zip(choices, counts, strict=False)):
        colour = COLOURS[i % len(COLOURS)]
        short = escape(str(choice).split(" — ")[0][:80])
        rows.append(
            f'<div class="row" aria-hidden="true"><span class="label"><b>{letter(i)}.</b> {short}</span>'
            f'<span class="track"><span class="bar" style="display:block;width:{100 * count / most:.0f}%;'
            f'background:{colour}"></span></span>'
            f'<span class="count">{count} · {share(count, total)}</span></div>'
        )
    table = "".join(
        f"<tr><td>{letter(i)}. {escape(str(choice))}</td><td>{count}</td><td>{share(count, total)}</td></tr>"
        for i, (choice, count) in enumerate(zip(choices, counts, strict=False))
    )
    return (
        _CSS
        + f'<figure class="idl-class-chart" role="group" aria-label="{escape(caption)}">'
        + "".join(rows)
        + f"<details><summary>Show as table</summary><table><caption>{escape(caption)}</caption>"
        + f"<tr><th>choice</th><th>answers</th><th>share</th></tr>{table}</table></details></figure>"
    )


def answers_text(choices, counts: list[int]) -> str:
    total = sum(counts)
    return "; ".join(f"{letter(i)}: {c} ({share(c, total)})" for i, c in enumerate(counts[: len(choices)]))


def finished_text(finished: dict[int, int], learners: int) -> str:
    if not finished:
        return "nobody has finished a lesson yet"
    return " · ".join(f"lesson {n}: {count} of {learners}" for n, count in sorted(finished.items()))
