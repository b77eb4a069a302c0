"""The animated mail room in Chromium (ui/components/mailroom): letters travel from the
sender into the post office during Play and during one Next (their boxes sampled at every
animation frame), the controls stay put while it plays, lesson 2 stepped to the moment
the broker catches the duplicate, stepping without the server, breaking a receipt with a
click, lesson 3's refused registration, the prediction lock, screenshots over time
(light, dark, 1280x800, 1920x1080), and, at 1280x800, every step of lessons 4 and 6 with no
word spilling out of its box and no two replies drawn on top of each other."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from playwright.sync_api import expect

from idemlab.lessons import load_all

pytestmark = pytest.mark.timeout(240)

LESSONS = {lesson.number: lesson for lesson in load_all()}
LESSON = LESSONS[2]

# Samples, at every animation frame until the letter has come and gone (or `limit` ms),
# the first letter's box, the sender's and the post office's boxes, and the Next button's.
SAMPLER = """async (root, [press, limit]) => {
  const box = (node) => { const r = node.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; };
  const frame = () => new Promise((done) => requestAnimationFrame(done));
  const button = [...root.querySelectorAll("button")].find((b) => b.textContent.trim() === press);
  const next = [...root.querySelectorAll("button")].find((b) => b.textContent.trim() === "Next step");
  const samples = [];
  let seen = false;
  const t0 = performance.now();
  button.click();
  while (performance.now() - t0 < limit) {
    await frame();
    const letter = root.querySelector(".mr-tok-letter[data-r='1']");
    const shown = letter && letter.style.display !== "none";
    if (shown) {
      seen = true;
      samples.push({ t: performance.now() - t0, letter: box(letter), sender: box(root.querySelector(".mr-sender .mr-box")),
                     office: box(root.querySelector(".mr-office .mr-box")), next: box(next) });
    } else if (seen) break;
  }
  return samples;
}"""


def run_lesson(page, open_url, wait_run, number: int = 2, theme: str | None = None):
    lesson = LESSONS[number]
    open_url(f"lesson-{lesson.slug}", theme=theme)
    group = page.get_by_test_id("stRadio").filter(has=page.get_by_text("Your prediction"))
    group.get_by_role("radiogroup").locator("label").nth(lesson.prediction.answer).click()
    wait_run(page)
    page.get_by_role("button", name="Run the experiment").click()
    wait_run(page)
    room = page.locator(".mr").last  # the analogy's preview, if any, comes first
    expect(room).to_be_visible()
    room.scroll_into_view_if_needed()
    return room


def run_lesson_2(page, open_url, wait_run, theme: str | None = None):
    return run_lesson(page, open_url, wait_run, 2, theme)


def settled(room):
    expect(room).to_have_attribute("data-moving", "0")


def centre_inside(box, outer) -> bool:
    x, y = box[0] + box[2] / 2, box[1] + box[3] / 2
    return outer[0] <= x <= outer[0] + outer[2] and outer[1] <= y <= outer[1] + outer[3]


def assert_travels_from_sender_to_office(samples):
    assert len(samples) >= 10, samples
    xs = [sample["letter"][0] for sample in samples]
    assert all(b >= a - 0.5 for a, b in pairwise(xs)), xs
    assert xs[-1] > xs[0] + 100, xs
    # It leaves from the sender's door (where the lanes begin, so it never covers the sender's list).
    door, office = samples[0]["sender"][0] + samples[0]["sender"][2], samples[0]["office"][0]
    assert door - 1 <= samples[0]["letter"][0] <= door + (office - door) / 4, samples[0]
    assert centre_inside(samples[-1]["letter"], samples[-1]["office"]), samples[-1]


def test_play_moves_the_first_letter_from_the_sender_into_the_post_office_and_the_controls_stay(
    open_url, page, wait_run, screenshots
):
    room = run_lesson_2(page, open_url, wait_run)
    samples = room.evaluate(SAMPLER, ["Play", 20_000])
    assert_travels_from_sender_to_office(samples)
    assert len({tuple(round(v) for v in sample["next"]) for sample in samples}) == 1, "the controls moved"
    handle = room.element_handle()
    for position in (12, 16, 19, 25):  # the picture over time, for a person to look at
        page.wait_for_function("([room, n]) => Number(room.dataset.pos) >= n", arg=[handle, position], timeout=60_000)
        room.screenshot(path=str(screenshots / f"mailroom-lesson-2-playing-{position}.png"))
    expect(room).to_have_attribute("data-playing", "0", timeout=60_000)  # Play reaches the end and stops
    expect(room.locator(".mr-live")).to_contain_text("Step 28 of 28")


def test_one_next_moves_the_first_letter_from_the_sender_into_the_post_office(open_url, page, wait_run):
    room = run_lesson_2(page, open_url, wait_run)
    room.get_by_role("button", name="Next step").click()  # to the first moment: the producer id
    settled(room)
    expect(room.locator(".mr-live")).to_contain_text("new producer id")
    samples = room.evaluate(SAMPLER, ["Next step", 5_000])
    assert_travels_from_sender_to_office(samples)
    settled(room)
    expect(room.locator(".mr-live")).to_contain_text("receipt lost")


def test_lesson_2_opens_at_step_0_with_named_step_buttons_and_steps_to_the_caught_duplicate(
    open_url, page, wait_run, screenshots
):
    room = run_lesson_2(page, open_url, wait_run)
    expect(room.locator(".mr-live")).to_contain_text("Step 0 of")  # opens at the beginning, not the end
    for name in ("First step", "Previous step", "Play", "Next step", "Last step"):
        button = room.get_by_role("button", name=name, exact=True)
        expect(button).to_have_count(1)
        assert name in button.inner_text(), name  # its name is shown, not only read out
    assert not room.locator("button[aria-label]").filter(has_text="step").count()
    for _ in range(10):
        if "duplicate caught" in (room.locator(".mr-live").text_content() or ""):
            break
        room.get_by_role("button", name="Next step").click()
        settled(room)
    expect(room.locator(".mr-live")).to_contain_text("duplicate caught")
    expect(room.locator(".mr-batch.mr-hit")).to_have_count(1)
    expect(room.locator(".mr-batch.mr-hit")).to_have_attribute("data-seq", "1")
    expect(room.locator(".mr-clerk")).to_contain_text("already")
    expect(room.locator(".mr-clerk")).to_contain_text("@1")
    expect(room.locator(".mr-slot.mr-hit")).to_have_attribute("data-off", "1")
    expect(room.locator(".mr-now")).to_have_count(1)  # one sentence at a time
    room.screenshot(path=str(screenshots / "mailroom-lesson-2-duplicate-caught.png"))


def test_stepping_ten_times_sends_nothing_to_the_server(open_url, page, wait_run):
    sent: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(str(payload)[:40])))
    room = run_lesson_2(page, open_url, wait_run)
    room.get_by_label("every event").check()
    settled(room)
    before = len(sent)
    for _ in range(10):
        room.get_by_role("button", name="Next step").click()
    settled(room)
    expect(room.locator(".mr-live")).to_contain_text("Step 10 of")
    room.get_by_role("button", name="Previous step").click()
    room.locator(".mr-scrub").fill("3")
    expect(room.locator(".mr-live")).to_contain_text("Step 3 of")
    settled(room)
    assert len(sent) == before, sent[before:]


def test_losing_a_receipt_by_clicking_it_reruns_with_that_fault_in_the_url(open_url, page, wait_run, screenshots):
    room = run_lesson_2(page, open_url, wait_run)
    room.get_by_label("every event").check()
    receipt = room.locator(".mr-tok-receipt[role=button]").first
    for _ in range(30):
        if receipt.count():
            break
        room.get_by_role("button", name="Next step").click()
        settled(room)
    expect(receipt).to_be_visible()
    number = receipt.get_attribute("data-r")
    receipt.click()
    room.screenshot(path=str(screenshots / "mailroom-break-a-receipt.png"))
    room.get_by_role("button", name="lose this receipt").click()
    page.wait_for_url(re.compile(rf"fault=[^&]*{number}(%3A|:)drop_response"))
    wait_run(page)
    expect(page.get_by_text("You broke this run yourself").first).to_be_visible()
    expect(page.locator(".mr").last.locator(".mr-live")).to_contain_text("Step 0 of")


def test_lesson_3_draws_the_counter_refusing_the_registration(open_url, page, wait_run, screenshots):
    room = run_lesson(page, open_url, wait_run, 3)
    expect(room.locator(".mr-live")).to_contain_text("Step 0 of 1")
    room.get_by_role("button", name="Next step").click()
    settled(room)
    expect(room.locator(".mr-live")).to_contain_text("registration refused")
    expect(room.locator(".mr-tok-form.mr-is-refused")).to_be_visible()
    expect(room.locator(".mr-now")).to_contain_text("Failed to create producer")
    expect(room.locator(".mr-tok-letter")).to_have_count(0)  # nothing was sent
    room.screenshot(path=str(screenshots / "mailroom-lesson-3-refused.png"))


def test_the_prediction_locks_when_the_experiment_runs(open_url, page, wait_run):
    run_lesson_2(page, open_url, wait_run)
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="Right.").first).to_be_visible()
    group = page.get_by_test_id("stRadio").filter(has=page.get_by_text("Your prediction"))
    other = 0 if LESSON.prediction.answer else 1
    group.get_by_role("radiogroup").locator("label").nth(other).click()
    wait_run(page)
    expect(page.get_by_text("recorded as a second try").first).to_be_visible()
    expect(page.get_by_test_id("stAlertContentError").filter(has_text="Second try: Not quite")).to_be_visible()
    assert re.search(rf"ans=[^&]*2\.p\.{LESSON.prediction.answer}", page.url), page.url


@pytest.mark.parametrize(("theme", "sizes"), [("light", [(1920, 1080)]), ("dark", [(1920, 1080), (1280, 800)])])
def test_mail_room_screenshots(open_url, page, wait_run, screenshots, theme, sizes):
    page.set_viewport_size({"width": sizes[0][0], "height": sizes[0][1]})
    room = run_lesson_2(page, open_url, wait_run, theme=theme)
    room.locator(".mr-chip").filter(has_text="duplicate caught").click()
    expect(room.locator(".mr-batch.mr-hit")).to_have_count(1)
    for width, height in sizes:  # one run, resized: the picture fits itself to its new width
        page.set_viewport_size({"width": width, "height": height})
        expect(room.locator(".mr-batch.mr-hit")).to_have_count(1)
        room.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / f"mailroom-lesson-2-{theme}-{width}x{height}.png"))


# Every visible word of the picture: inside the box of its envelope, chip, slot, stamp or row,
# under none of that group's icons, and inside the sender's or the post office's box; and no
# two replies in the receipts lane on top of each other.  Returns what is wrong, in words.
LAYOUT_PROBLEMS = """(root) => {
  const box = (n) => { const r = n.getBoundingClientRect(); return { l: r.left, t: r.top, r: r.right, b: r.bottom }; };
  const inside = (a, o) => a.l >= o.l - 1 && a.r <= o.r + 1 && a.t >= o.t - 1 && a.b <= o.b + 1;
  const meets = (a, o) => Math.min(a.r, o.r) - Math.max(a.l, o.l) > 1 && Math.min(a.b, o.b) - Math.max(a.t, o.t) > 1;
  const shown = (n) => [...n.getClientRects()].some((r) => r.width > 0);
  const problems = [];
  const svg = root.querySelector(".mr-svg");
  const outer = { sender: box(root.querySelector(".mr-sender .mr-box")), office: box(root.querySelector(".mr-office .mr-box")) };
  for (const t of svg.querySelectorAll("text")) {
    const what = t.textContent.trim();
    if (!what || !shown(t) || t.closest(".mr-lostmark, .mr-refusedmark, .mr-heldmark")) continue;  // a mark's word sits beside its envelope
    const b = box(t);
    if (t.classList.contains("mr-retry-mark")) {
      if (!inside(b, box(t.parentNode.querySelector(".mr-retry-dot")))) problems.push(`'${what}' leaves its dot`);
      continue;
    }
    const group = t.closest(".mr-tok, .mr-clerk, .mr-batch, .mr-slot, .mr-row, .mr-badge, .mr-down");
    const rect = group && group.querySelector(":scope > rect");
    if (rect && !inside(b, box(rect))) problems.push(`'${what}' leaves its box (${group.getAttribute("class")})`);
    if (group) for (const ic of group.querySelectorAll(".mr-icon")) {
      if (meets(b, box(ic))) problems.push(`'${what}' lies under an icon (${group.getAttribute("class")})`);
    }
    const area = t.closest(".mr-in-sender") ? "sender" : t.closest(".mr-in-office") ? "office" : null;
    if (area && !inside(b, outer[area])) problems.push(`'${what}' leaves the ${area} box`);
  }
  const replies = [...svg.querySelectorAll(".mr-tok-receipt, .mr-tok-error, .mr-tok-init-reply")]
    .filter((n) => n.style.display !== "none" && !n.classList.contains("mr-is-lost"))
    .map((n) => [n.dataset.key, box(n.querySelector(".mr-tok-body"))]);
  for (let i = 0; i < replies.length; i++) for (let j = i + 1; j < replies.length; j++) {
    if (meets(replies[i][1], replies[j][1])) problems.push(`replies ${replies[i][0]} and ${replies[j][0]} overlap`);
  }
  return problems;
}"""


def room_at(page, room, position: int) -> list[str]:
    room.locator(".mr-scrub").fill(str(position))
    page.wait_for_function(
        "([room, n]) => room.dataset.pos === String(n) && room.dataset.moving === '0'",
        arg=[room.element_handle(), position],
        timeout=30_000,
    )
    return room.evaluate(LAYOUT_PROBLEMS)


@pytest.mark.parametrize("number", [4, 6])
def test_no_word_leaves_its_box_and_no_replies_overlap_at_any_step_of_lessons_4_and_6(
    open_url, page, screenshots, number
):
    page.set_viewport_size({"width": 1280, "height": 800})
    lesson = LESSONS[number]
    open_url(f"lesson-{lesson.slug}?ans={number}.p.1")
    room = page.locator(".mr").last
    expect(room).to_be_visible(timeout=60_000)
    room.scroll_into_view_if_needed()
    steps = int(room.locator(".mr-scrub").get_attribute("max"))
    assert steps > 5, steps
    problems = {position: room_at(page, room, position) for position in range(steps + 1)}
    chips = room.locator(".mr-chip")
    assert chips.count() >= 2
    for index in range(chips.count()):  # the key moments, as a learner reaches them
        chip = chips.nth(index)
        chip.click()
        expect(chip).to_have_attribute("aria-current", "step")
        settled(room)
        problems[chip.inner_text().strip()] = room.evaluate(LAYOUT_PROBLEMS)
    room.screenshot(path=str(screenshots / f"mailroom-lesson-{number}-last-moment-1280x800.png"))
    assert not {where: found for where, found in problems.items() if found}


def test_an_error_reply_shows_a_short_name_and_keeps_the_full_one_in_its_title(open_url, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    open_url(f"lesson-{LESSONS[4].slug}?ans=4.p.1")
    room = page.locator(".mr").last
    expect(room).to_be_visible(timeout=60_000)
    room.get_by_label("every event").check()
    error = room.locator(".mr-tok-error").first
    for _ in range(40):
        if error.count() and error.is_visible():
            break
        room.get_by_role("button", name="Next step").click()
        settled(room)
    expect(error).to_be_visible()
    expect(error.locator(":scope > text")).to_have_text(["error", "not enough replicas"])
    expect(error.locator("title")).to_contain_text("NOT_ENOUGH_REPLICAS")


def test_notebook_chips_are_at_least_12_px_tall_text_at_1280(open_url, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    open_url(f"lesson-{LESSONS[6].slug}?ans=6.p.1")
    room = page.locator(".mr").last
    expect(room).to_be_visible(timeout=60_000)
    room.locator(".mr-chip").filter(has_text="broker down").click()
    settled(room)
    expect(room.locator(".mr-batch")).to_have_count(4)
    sizes = room.locator(".mr-batch text").evaluate_all(
        "(texts) => texts.map((t) => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"
    )
    assert sizes and min(sizes) >= 11.5, sizes
