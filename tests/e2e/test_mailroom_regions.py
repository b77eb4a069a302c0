"""The mail room's layout rule, in Chromium: every part keeps its own region.  At every frame of
a whole Play of lessons 3, 8 and 9 (the runs where a reviewer saw an error reply over the
sender's list, the clerk's "stored" stamp against the Shelf label, a registration form's words
under its mark): no envelope covers the sender's list or the office's
books (notebook, shelf), the clerk's stamp stays clear of the books, and a mark that
crosses an envelope (lost, refused) lies under its words."""

from __future__ import annotations

import pytest

from tests.e2e.test_mailroom import run_lesson

pytestmark = pytest.mark.timeout(600)


# Samples every animation frame until Play ends; returns what overlaps, in words (first few).
OVERLAPS_DURING_PLAY = """async (root) => {
  const box = (n) => { const r = n.getBoundingClientRect(); return { l: r.left, t: r.top, r: r.right, b: r.bottom }; };
  // Closer than `gap` px (a part touching another's words reads as covering them).
  const meets = (a, o, gap = 0) => Math.min(a.r, o.r) - Math.max(a.l, o.l) > 1 - gap && Math.min(a.b, o.b) - Math.max(a.t, o.t) > 1 - gap;
  const shown = (n) => n.getClientRects().length > 0 && [...n.getClientRects()].some((r) => r.width > 0);
  const name = (n) => (n.textContent || n.getAttribute("class") || "").trim().slice(0, 30);
  const GAP = 4;
  const problems = new Set();
  let frames = 0;
  const look = () => {
    frames++;
    const list = [...root.querySelectorAll(".mr-in-sender .mr-row, .mr-in-sender .mr-badge")].filter(shown);
    const books = [...root.querySelectorAll(".mr-in-office > text, .mr-in-office .mr-slot > rect, .mr-in-office .mr-batch > rect")]
      .filter(shown);
    const envelopes = [...root.querySelectorAll(".mr-tok")].filter((n) => n.style.display !== "none" && shown(n));
    for (const envelope of envelopes) {
      const body = box(envelope.querySelector(".mr-tok-body"));
      for (const part of [...list, ...books]) {
        if (meets(body, box(part), GAP)) problems.add(`${envelope.dataset.kind} #${envelope.dataset.r} over '${name(part)}'`);
      }
      const marks = envelope.querySelectorAll(":scope > .mr-lostmark, :scope > .mr-refusedmark");
      const firstWords = envelope.querySelector(":scope > text");
      const under = [...marks].some((mark) => mark.compareDocumentPosition(firstWords) & Node.DOCUMENT_POSITION_PRECEDING);
      if (under) problems.add(`${envelope.dataset.kind}'s words under a mark`);
    }
    for (const stamp of root.querySelectorAll(".mr-clerk > rect")) {
      for (const part of books) if (meets(box(stamp), box(part), GAP)) problems.add(`the clerk's stamp against '${name(part)}'`);
    }
  };
  const frame = () => new Promise((done) => requestAnimationFrame(done));
  [...root.querySelectorAll("button")].find((b) => b.textContent.trim() === "Play").click();
  await frame();
  while (root.dataset.playing === "1") { look(); await frame(); }
  look();
  return { frames, problems: [...problems].slice(0, 12) };
}"""


# The layout is the same in both themes (only colours change): light only.
@pytest.mark.parametrize("number", [3, 8, 9])
def test_nothing_in_the_post_covers_the_sender_list_or_the_offices_books(open_url, page, wait_run, number):
    room = run_lesson(page, open_url, wait_run, number)
    room.locator(".mr-speed").select_option("2")
    seen = room.evaluate(OVERLAPS_DURING_PLAY)
    assert seen["frames"] >= 10, seen
    assert not seen["problems"], seen["problems"]
