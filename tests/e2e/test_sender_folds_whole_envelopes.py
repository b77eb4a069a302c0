"""The sender's list in Chromium, when a run has more letters than its box holds (lesson 9 with
a fourth envelope, 21 letters): whole envelopes fold, never part of one, the oldest settled
first, and a letter in the post only when the post alone holds more letters than the box.  The component is mounted on a blank page
(no app server): this checks mailroom.js's fold, not a lesson."""

from __future__ import annotations

import base64
import dataclasses
from pathlib import Path

import pytest

from idemlab import backends, replay
from idemlab import lessons as lesson_module
from idemlab import model as m
from ui.components.mailroom import alt_text, document, plan

pytestmark = pytest.mark.timeout(300)

SCRIPT = Path(__file__).resolve().parents[2] / "ui/components/mailroom/mailroom.js"

# Mounts the component, then reads the sender's list at every step.
MOUNT_AND_READ = """async ([source, data]) => {
  const mount = (await import(`data:text/javascript;base64,${source}`)).default;
  const root = document.createElement("div");
  document.body.appendChild(root);
  mount({ data, parentElement: root, setTriggerValue: () => {} });
  const room = root.querySelector(".mr"), scrub = room.querySelector(".mr-scrub");
  const out = [];
  for (let pos = 0; pos <= Number(scrub.max); pos++) {
    scrub.value = String(pos); scrub.dispatchEvent(new Event("input"));
    const fold = room.querySelector(".mr-in-sender .mr-folded");
    out.push({ pos, shown: [...room.querySelectorAll(".mr-in-sender .mr-row .mr-what")].map((n) => n.textContent),
      folded: fold ? fold.dataset.folded.split(",") : [] });
  }
  return out;
}"""


def _twenty_one_letters() -> dict:
    lesson = next(lesson for lesson in lesson_module.load_all() if lesson.number == 9)
    scenario = lesson_module.scenario_for(lesson)
    more = m.Step(kind="send", values=("m17", "m18", "m19", "m20", "m21"))
    steps = (*scenario.steps[:-1], more, scenario.steps[-1])
    return replay.replay(backends.run(dataclasses.replace(scenario, steps=steps), "sim"))


def test_the_sender_folds_whole_envelopes_and_nothing_while_every_letter_fits(browser):
    doc = _twenty_one_letters()
    envelopes = plan.envelopes(doc)
    assert sum(map(len, envelopes)) == 21
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.set_content("<!doctype html><html><body></body></html>")
        source = base64.b64encode(SCRIPT.read_bytes()).decode()
        seen = page.evaluate(MOUNT_AND_READ, [source, document(doc, interactive=False)])
    finally:
        context.close()
    folds = [step for step in seen if step["folded"]]
    assert folds, "21 letters never fold"
    for step in seen:
        rows = [row["what"] for row in alt_text.frame_lists(doc, step["pos"])["sender"]]
        assert sorted(step["shown"] + step["folded"], key=rows.index) == rows, step
        assert len(step["shown"]) <= 16, step
        in_post = {name for row in alt_text.frame_lists(doc, step["pos"])["post"] for name in row["what"].split(", ")}
        # a letter in the post folds only when the post alone holds more than the box shows
        assert not in_post & set(step["folded"]) or len(in_post) > 15, step
        for envelope in envelopes:
            listed = set(envelope) & set(rows)  # a letter not produced yet is not in the list
            assert listed <= set(step["folded"]) or not listed & set(step["folded"]), (envelope, step)
        if len(rows) <= 16:
            assert not step["folded"], step  # everything fits: nothing folds
