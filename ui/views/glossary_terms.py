"""Glossary terms in lesson prose: the first mention of each term in a section shows its
plain definition on hover (a title) and on keyboard focus (the definition is written out
after the term while it has focus).  Pure: Markdown in, Markdown with inline HTML out.

Only lesson text goes through here: it is the project's own content, so the HTML is
ours; the definitions are escaped anyway.  Code spans, links, headings and HTML already
in the text are left as they are.
"""

from __future__ import annotations

import html
import re

CSS = """<style>
.idl-term { text-decoration: underline dotted; text-underline-offset: 0.2em; cursor: help; }
.idl-term:focus { outline: 2px solid currentColor; outline-offset: 2px; }
.idl-term:focus::after { content: " (" attr(data-def) ")"; font-style: italic; }
</style>"""

# Left alone, as CommonMark reads them: fenced code blocks, code spans of any number of
# backticks (a span may cross a line break, never a blank line; an escaped backtick
# opens none), [link text](target) and [text][ref], <html>, heading lines.
_PROTECTED = re.compile(
    r"^[ ]{0,3}(?P<fence>```+|~~~+)[^\n]*\n(?:.*?\n)?[ ]{0,3}(?P=fence)[`~]*[ \t]*$"
    r"|^[ ]{0,3}(?:```+|~~~+).*\Z"  # an unclosed fence runs to the end
    r"|(?<![`\\])(?P<ticks>`+)(?!`)(?:(?!\n[ \t]*\n).)*?(?<!`)(?P=ticks)(?!`)"
    r"|!?\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])"
    r"|<[^>\n]*>"
    r"|^[ ]{0,3}#{1,6}(?:[ \t][^\n]*)?$",
    re.M | re.S,
)


def annotate(markdown: str, glossary: dict[str, str]) -> str:
    """`markdown` with the first mention of each glossary term marked up."""
    terms = sorted(glossary, key=len, reverse=True)  # "producer id" before "producer"
    if not terms:
        return markdown
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(t) for t in terms) + r")(?![\w-])", re.I)
    done: set[str] = set()

    def mark(match: re.Match) -> str:
        word = match.group(1)
        term = next(t for t in terms if t.lower() == word.lower())
        if term.lower() in done:
            return word
        done.add(term.lower())
        definition = html.escape(glossary[term], quote=True)
        return f'<abbr class="idl-term" tabindex="0" title="{definition}" data-def="{definition}">{word}</abbr>'

    out, last = [], 0
    for protected in _PROTECTED.finditer(markdown):
        out.append(pattern.sub(mark, markdown[last : protected.start()]))
        out.append(protected.group(0))
        last = protected.end()
    out.append(pattern.sub(mark, markdown[last:]))
    return "".join(out)
