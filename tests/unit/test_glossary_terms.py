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
