"""Glossary terms in lesson prose show their meaning on hover and focus."""

import re

from idemlab import lessons
from idemlab.reference_data import glossary
from ui.views.glossary_terms import annotate

TERMS = {"epoch": 'A "generation" <of> a producer id', "producer id": "The sender's number"}


def test_the_first_mention_of_a_term_carries_its_escaped_definition():
    text = annotate("The epoch changes. The epoch again.", TERMS)
    assert text.count('class="idl-term"') == 1
    assert 'title="A &quot;generation&quot; &lt;of&gt; a producer id"' in text
    assert 'tabindex="0"' in text


def test_code_links_and_headings_are_left_as_they_are():
    text = "## The epoch\nSee `epoch` and [the epoch](/playground?scenario=lost-ack).\n```python\nepoch = 1\n```\n"
    assert annotate(text, TERMS) == text


def test_the_longest_term_wins_and_case_is_kept():
    text = annotate("Its Producer id is new.", TERMS)
    assert ">Producer id</abbr>" in text


def test_every_lesson_section_marks_some_terms_and_keeps_its_words():
    for lesson in lessons.load_all():
        body = lesson.section("Mechanism") or ""
        marked = annotate(body, glossary())
        plain = re.sub(r'<abbr class="idl-term"[^>]*>([^<]*)</abbr>', r"\1", marked)
        assert plain == body


def _marked(text: str) -> list[str]:
    return re.findall(r'<abbr class="idl-term"[^>]*>([^<]*)</abbr>', annotate(text, TERMS))


def test_a_code_span_that_crosses_a_line_break_is_left_alone():
    text = "This time `epoch =\ntrue` is set, and the epoch is new."
    marked = annotate(text, TERMS)
    assert "`epoch =\ntrue`" in marked
    assert _marked(text) == ["epoch"] and marked.index("<abbr") > marked.index("true`")


def test_a_blank_line_ends_an_unclosed_backtick_so_the_next_paragraph_is_annotated():
    assert _marked("A stray ` here.\n\nThe epoch is new.") == ["epoch"]


def test_code_spans_of_two_backticks_and_escaped_backticks_are_read_as_markdown_does():
    assert _marked("See ``an `epoch` inside`` here.") == []
    assert _marked("Not code: \\`epoch\\` is marked.") == ["epoch"]


def test_fenced_blocks_of_tildes_or_longer_fences_and_unclosed_fences_are_left_alone():
    assert _marked("~~~\nepoch\n~~~\n") == []
    assert _marked("````\n```\nepoch\n````\n") == []
    assert _marked("```\nepoch = 1\n") == []


def test_reference_links_images_and_indented_headings_are_left_alone():
    assert _marked("[the epoch][ref] and ![an epoch](e.png)") == []
    assert _marked("  ### The epoch\n") == []


def _inside_code_link_or_heading(marked: str) -> list[str]:
    """Each abbr that an unescaped backtick count, an open [ or a heading puts inside code,
    a link or a heading, paragraph by paragraph (a code span never crosses a blank line)."""
    found = []
    for fence in re.findall(r"^```.*?^```", marked, re.M | re.S):
        found += [fence] if "<abbr" in fence else []
    for paragraph in re.split(r"\n[ \t]*\n", re.sub(r"^```.*?^```", "", marked, flags=re.M | re.S)):
        for abbr in re.finditer("<abbr", paragraph):
            before = paragraph[: abbr.start()]
            line = before.rsplit("\n", 1)[-1]
            ticks = len(re.findall(r"(?<!\\)`", before))
            if ticks % 2 or line.lstrip().startswith("#") or before.count("[") > before.count("]"):
                found.append(paragraph)
    return found


def test_the_checker_sees_markup_inside_a_code_span_across_a_line_break():
    assert _inside_code_link_or_heading('`enable.<abbr class="idl-term">x</abbr> =\ntrue`')


def test_no_lesson_section_puts_markup_inside_code_links_or_headings():
    for lesson in lessons.load_all():
        for heading in lessons.SECTIONS:
            marked = annotate(lesson.section(heading), glossary())
            assert not _inside_code_link_or_heading(marked), (lesson.slug, heading)
