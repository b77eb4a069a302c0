// The animated mail room: draws a run that Python computed (idemlab/replay.py, with the
// envelopes' trips and each event's time from plan.py) as one SVG picture, and steps,
// plays and scrubs it in the browser with no server round trip.  The picture is a pure
// function of a continuous playhead: position k is the state after k events, and between
// k and k+1 the envelopes of event k move.  Next and Play move the playhead over time
// (requestAnimationFrame); every other control sets it.  Only a click that breaks a letter
// or a receipt talks to Python (the "fault" trigger).  Trace values reach the page as text
// nodes only (textContent / createElementNS), never as markup.

const SVG = "http://www.w3.org/2000/svg";
const W = 1000, H = 420;
// The layout's rule: every part has its own region and nothing is drawn over another's words.
// The post travels only in the two lanes, from the sender's door (where the lanes begin: the
// sender's list is never under an envelope) to the post office's counter, a column as wide
// as the widest envelope beside the office's books (the notebook and the shelf).
const TOKEN_HALF = { letter: 42, form: 56, init: 38, error: 60, receipt: 42, "init-reply": 42 };  // an error reply holds "not enough replicas"
const WIDEST = Math.max(...Object.values(TOKEN_HALF));
const SENDER = { x: 8, y: 8, w: 244, h: 404 };
const OFFICE = { x: 560, y: 8, w: 432, h: 404 };
const COUNTER = { x0: OFFICE.x + 6, x1: OFFICE.x + 14 + 2 * WIDEST };
const BOOKS_X = COUNTER.x1 + 8;  // the notebook's and the shelf's left edge
// The clerk's stamp, on the counter and clear of the post office's border (its stroke included).
const STAMP = { x: OFFICE.x + 18, w: COUNTER.x1 - OFFICE.x - 22 };
const LANE = { x0: SENDER.x + SENDER.w, x1: OFFICE.x, out: 172, back: 292, half: 34 };
const OX = (COUNTER.x0 + COUNTER.x1) / 2, LX = 440;
const door = (half) => LANE.x0 + half + 4;  // an envelope's centre at the sender's door
const officeDoor = (half) => LANE.x1 - half - 6;  // ... and at the post office's, still in the lane
// Your secretary's desk (the client library, inside the sender: "counter" is the post office's
// only), and where a registration form starts on its way to the desk.
const CX = 150, FORM_X0 = SENDER.x + TOKEN_HALF.form + 8;
const SHELF_SLOTS = 12, NOTE_ROWS = 3;
const CHIP_PAD = 12, CHIP_GAP = 4;  // a notebook chip's room beside its words, and between chips
const SENDER_STEPS = [30, 22, 20];  // rows this far apart, closer together before any is folded away
const SENDER_TOP = 92;  // the first row's centre
const SENDER_BOTTOM = SENDER.y + SENDER.h - 10;  // the last row's centre at most
const FOLD_LINE = 24;  // the "+N not shown" line above the rows
// How many rows the sender's box holds from `top`, `step` apart.
const rowsFitting = (step, top) => Math.floor((SENDER_BOTTOM - top) / step) + 1;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function s(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

const label = (x, y, text, cls, anchor) => s("text", { x, y, class: cls || "mr-t", "text-anchor": anchor || "start" }, text);
const fit = (text, n) => (String(text).length > n ? String(text).slice(0, n - 1) + "…" : String(text));
// A label no wider than `max` (user units): fitted once it is in the document (fitAll).
const boxed = (x, y, text, max, cls, anchor) => { const node = label(x, y, text, cls, anchor); node.dataset.max = max; return node; };
// Shrinks a label (or tspan) that is wider than its data-max to the small size, then shortens it
// with "…"; its full words stay in the enclosing group's <title> and in the text alternative.
function fitAll(container) {
  for (const node of container.querySelectorAll("[data-max]")) {
    const max = Number(node.dataset.max);
    const width = () => { try { return node.getComputedTextLength(); } catch { return 0; } };
    if (!(width() > max)) continue;  // not laid out (hidden) or it fits
    if (!node.classList.contains("mr-chip-text")) node.classList.add("mr-tiny");
    const full = node.textContent.replace(/…$/, "");
    for (let n = full.length - 1; n > 1 && width() > max; n--) node.textContent = full.slice(0, n).trimEnd() + "…";
  }
}
// Kafka's error names are long; the picture shows a few words and the title the full name.
const ERROR_WORDS = {
  NOT_ENOUGH_REPLICAS: "not enough replicas", NOT_ENOUGH_REPLICAS_AFTER_APPEND: "not enough, stored", OUT_OF_ORDER_SEQUENCE_NUMBER: "out of order",
  DUPLICATE_SEQUENCE_NUMBER: "duplicate", INVALID_PRODUCER_EPOCH: "old epoch", PRODUCER_FENCED: "fenced",
  UNKNOWN_PRODUCER_ID: "unknown PID", NOT_LEADER_OR_FOLLOWER: "not leader", REQUEST_TIMED_OUT: "timed out",
  INVALID_TXN_STATE: "bad state", TRANSACTIONAL_ID_AUTHORIZATION_FAILED: "not allowed", CLUSTER_AUTHORIZATION_FAILED: "not allowed",
};
const errorWords = (err) => {
  const name = /[A-Z][A-Z_]{3,}/.exec(String(err || ""));
  return name ? ERROR_WORDS[name[0]] || name[0].toLowerCase().replace(/_/g, " ") : String(err || "error");
};
const clamp = (v) => Math.max(0, Math.min(1, v));
const lerp = (a, b, p) => a + (b - a) * p;

// Shapes beside the words (never colour alone), in a 16x16 box.
const SHAPES = {
  letter: [["rect", { x: 1, y: 3, width: 14, height: 10, rx: 1, fill: "none", "stroke-width": 1.6 }],
           ["path", { d: "M1 4L8 9L15 4", fill: "none", "stroke-width": 1.6 }]],
  receipt: [["path", { d: "M2 1H14V15L11 13L8 15L5 13L2 15Z", fill: "none", "stroke-width": 1.6 }],
            ["path", { d: "M5 8L7 10L11 5", fill: "none", "stroke-width": 1.8 }]],
  lost: [["path", { d: "M3 3L13 13M13 3L3 13", fill: "none", "stroke-width": 3 }]],
  stored: [["rect", { x: 2, y: 2, width: 12, height: 12, "stroke-width": 0 }]],
  duplicate: [["path", { d: "M8 1L15 8L8 15L1 8Z", "stroke-width": 0 }]],
  delivered: [["circle", { cx: 8, cy: 8, r: 6, "stroke-width": 0 }]],
  waiting: [["circle", { cx: 8, cy: 8, r: 5.5, fill: "none", "stroke-width": 2 }]],
  failed: [["circle", { cx: 8, cy: 8, r: 6, fill: "none", "stroke-width": 2 }],
           ["path", { d: "M5 5L11 11M11 5L5 11", fill: "none", "stroke-width": 2 }]],
  fatal: [["path", { d: "M5 1H11L15 5V11L11 15H5L1 11V5Z", "stroke-width": 0 }],
          ["path", { d: "M5 5L11 11M11 5L5 11", fill: "none", stroke: "#fff", "stroke-width": 2 }]],
  epoch: [["path", { d: "M8 1L10 6H15L11 9.5L12.5 15L8 11.5L3.5 15L5 9.5L1 6H6Z", "stroke-width": 0 }]],
  moment: [["path", { d: "M8 1L15 8L8 15L1 8Z", fill: "none", "stroke-width": 2 }]],
  dedup: [["circle", { cx: 8, cy: 8, r: 5.5, fill: "none", "stroke-width": 2.4 }]],
  rejected: [["path", { d: "M3 3L13 13M13 3L3 13", fill: "none", "stroke-width": 1.8 }]],
  broker: [["path", { d: "M4.5 2H11.5L14.5 8L11.5 14H4.5L1.5 8Z", "stroke-width": 0 }]],
  check: [["path", { d: "M3 8.5L6.5 12L13 4", fill: "none", "stroke-width": 2.4 }]],
  held: [["path", { d: "M3 1.5H13M3 14.5H13M4.5 1.5C4.5 6 8 6.5 8 8C8 9.5 4.5 10 4.5 14.5M11.5 1.5C11.5 6 8 6.5 8 8C8 9.5 11.5 10 11.5 14.5",
                    fill: "none", "stroke-width": 1.8 }]],
  reordered: [["path", { d: "M5 14V3M2 6L5 2.5L8 6M11 2V13M8 10L11 13.5L14 10", fill: "none", "stroke-width": 1.8 }]],
  first: [["path", { d: "M3 2V14", fill: "none", "stroke-width": 2 }], ["path", { d: "M14 2L5 8L14 14Z", "stroke-width": 0 }]],
  prev: [["path", { d: "M13 2L3 8L13 14Z", "stroke-width": 0 }]],
  next: [["path", { d: "M3 2L13 8L3 14Z", "stroke-width": 0 }]],
  last: [["path", { d: "M13 2V14", fill: "none", "stroke-width": 2 }], ["path", { d: "M2 2L11 8L2 14Z", "stroke-width": 0 }]],
  play: [["path", { d: "M3 1.5L14 8L3 14.5Z", "stroke-width": 0 }]],
  pause: [["rect", { x: 3, y: 2, width: 3.5, height: 12, "stroke-width": 0 }],
          ["rect", { x: 9.5, y: 2, width: 3.5, height: 12, "stroke-width": 0 }]],
};

function shapeParts(name) {
  return (SHAPES[name] || []).map(([tag, attrs]) => s(tag, attrs));
}

// An HTML-side icon (controls, chips): decorative, the word is beside it.
function shape(name, cls) {
  return s("svg", { viewBox: "0 0 16 16", class: `mr-shape mr-shape-${name} ${cls || ""}`, "aria-hidden": "true", focusable: "false" },
    shapeParts(name));
}

// An icon inside the picture, its top-left corner at (x, y).
function icon(name, x, y, size, cls) {
  return s("g", { transform: `translate(${x},${y}) scale(${(size || 16) / 16})`, class: `mr-icon mr-icon-${name} ${cls || ""}` },
    shapeParts(name));
}

const MOMENT_WORDS = {
  ack_lost: "receipt lost", request_lost: "letter lost", retry: "retry", duplicate_caught: "duplicate caught",
  duplicate_stored: "stored twice", epoch_bump: "epoch bump", fatal_error: "fatal error", reordered: "reordered",
  lost: "lost", failed_but_stored: "failed but stored", delivered_not_stored: "delivered, not stored",
  producer_restart: "producer restart", new_producer_id: "new producer id", broker_down: "broker down",
  broker_up: "broker back", leader_change: "leader change", expired: "producer forgotten", refused: "registration refused",
  sequence_refused: "sequence refused", implicit_ack: "acknowledged implicitly", refusal: "turned away",
  resend: "sent again by the app",
};

const seqOf = (ids) => { const m = /seq (\S+)/.exec(ids || ""); return m ? `seq ${m[1]}` : (ids ? fit(ids, 10) : "no PID"); };
const atOffset = (detail) => { const m = /offset (-?\d+)/.exec(detail || ""); return m ? `@${m[1]}` : /offset not reported/.test(detail || "") ? "no offset" : fit(detail || "", 11); };
const sentence = (text) => String(text || "").trim().replace(/[.\s]+$/, "") + ".";
// The first sentence; a client's `name` quoting stays, shown as code (withCode) as the lessons show it.
function firstSentence(text) {
  const m = /^(.+?[.!?])(?=\s+[A-Z“"(])/.exec(String(text || "").trim());
  return sentence(m ? m[1] : text);
}
// Text nodes, with each `name` a <code> element (never markup: every part is text).
const withCode = (text) => String(text).split(/`([^`]*)`/).map((part, i) => (i % 2 ? el("code", { text: part }) : part));
const withoutBackticks = (text) => String(text).replace(/`([^`]*)`/g, "$1");
// An envelope of three letters or more is named by its first and last ("m12…m16"): cut to fit,
// "m12, m1…" read as two letters, m12 and m1.  Its whole list is in the envelope's title.
const batchName = (what) => { const names = String(what).split(", "); return names.length > 2 ? `${names[0]}…${names[names.length - 1]}` : String(what); };
const capitalised = (text) => String(text).charAt(0).toUpperCase() + String(text).slice(1);

function skeleton(root) {
  const parts = {};
  const box = (b, title, cls) => s("g", { class: cls },
    s("rect", { x: b.x, y: b.y, width: b.w, height: b.h, rx: 10, class: "mr-box" }),
    label(b.x + 12, b.y + 26, title, "mr-t mr-title"));
  parts.senderBox = box(SENDER, "Sender (producer)", "mr-sender");
  parts.officeBox = box(OFFICE, "Post office (broker)", "mr-office");
  const lane = (y, title, back) => s("g", { class: "mr-lane" },
    s("rect", { x: LANE.x0, y: y - LANE.half, width: LANE.x1 - LANE.x0, height: 2 * LANE.half, rx: 6, class: "mr-road" }),
    s("path", { d: back ? `M${LANE.x0 + 4} ${y}l14 -9v18z` : `M${LANE.x1 - 4} ${y}l-14 -9v18z`, class: "mr-arrow" }),
    label(back ? LANE.x1 - 8 : LANE.x0 + 8, back ? y + LANE.half + 20 : y - LANE.half - 8, title, "mr-t mr-small", back ? "end" : "start"));
  parts.lanes = s("g", {}, lane(LANE.out, "letters →", false), lane(LANE.back, "← receipts", true));
  parts.sender = s("g", { class: "mr-in-sender" });
  parts.office = s("g", { class: "mr-in-office" });
  parts.tokens = s("g", { class: "mr-tokens" });
  parts.svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "mr-svg", role: "group", "aria-label": "The mail room picture (its words are in the text below the controls)" },
    parts.senderBox, parts.officeBox, parts.lanes, parts.sender, parts.office, parts.tokens);
  parts.menu = el("div", { class: "mr-menu", hidden: true, role: "dialog", "aria-label": "Break it" });
  parts.stage = el("div", { class: "mr-stage" }, parts.svg, parts.menu);
  parts.nowMark = el("span", { class: "mr-now-mark" });
  parts.nowText = el("span", { class: "mr-now-text" });
  parts.now = el("p", { class: "mr-now" }, parts.nowMark, parts.nowText);
  parts.live = el("p", { class: "mr-live", "aria-live": "polite", "aria-atomic": "true" });
  const button = (name, text, cls, title) => el("button", { type: "button", class: `mr-btn ${cls || ""}`, title }, shape(name), el("span", { text }));
  parts.first = button("first", "First step", "", "Home");
  parts.prev = button("prev", "Previous step", "", "←");
  parts.play = button("play", "Play", "mr-primary mr-play", "Space");
  parts.next = button("next", "Next step", "mr-primary", "→");
  parts.last = button("last", "Last step", "", "End");
  parts.scrub = el("input", { type: "range", class: "mr-scrub", min: 0, max: 0, value: 0, "aria-label": "Step" });
  parts.count = el("span", { class: "mr-count", "aria-hidden": "true" });
  parts.every = el("input", { type: "checkbox", class: "mr-every" });
  parts.speed = el("select", { class: "mr-speed", "aria-label": "Play speed" },
    el("option", { value: "0.5", text: "slow" }), el("option", { value: "1", text: "normal", selected: true }),
    el("option", { value: "2", text: "fast" }));
  parts.moments = el("ol", { class: "mr-moments", "aria-label": "Key moments" });
  const controls = el("div", { class: "mr-controls" },
    parts.first, parts.prev, parts.play, parts.next, parts.last, parts.scrub, parts.count,
    el("label", { class: "mr-check" }, parts.every, " every event"),
    el("label", { class: "mr-check" }, "Play speed ", parts.speed));
  parts.help = el("p", { class: "mr-help" });
  root.append(parts.stage, parts.now, parts.live, controls, parts.moments, parts.help);
  return parts;
}

// On the presenter a clicker's keys move the slides, wherever the focus is: the mail room
// lets them pass on to the page (the slides' own shortcuts) and keeps only its other keys.
const SLIDE_KEYS = new Set(["ArrowLeft", "ArrowRight", "PageUp", "PageDown"]);
function leaveToSlides(e) {
  e.preventDefault();  // the step slider or the speed list does not move too
  if (!e.target.matches("input, select")) return;
  // Streamlit's shortcuts ignore a key typed into a form field, even one inside this
  // component: the field gives up the focus and the key is sent again from the page.
  e.stopPropagation();
  e.target.blur();
  const again = { key: e.key, code: e.code, keyCode: e.keyCode, which: e.which, shiftKey: e.shiftKey, bubbles: true, cancelable: true };
  document.dispatchEvent(new KeyboardEvent("keydown", again));
  document.dispatchEvent(new KeyboardEvent("keyup", again));
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  if (!data || !data.frames) return undefined;
  let root = parentElement.querySelector(".mr");
  if (!root) {
    root = el("div", { class: "mr", role: "region", "aria-label": "The mail room, animated", tabindex: -1 });
    parentElement.appendChild(root);
    root.__parts = skeleton(root);
  }
  const parts = root.__parts;
  const events = data.events;
  const last = events.length;
  const trips = data.trips || [];
  const beats = data.beats || events.map(() => 600);
  const holds = data.holds || {};
  const momentPositions = (data.moments || []).map((m) => m.event + 1);
  const momentAt = new Map((data.moments || []).map((m) => [m.event + 1, m]));
  const stopPositions = data.stops || momentPositions; // plan.stops: the moments and the changes of envelopes in flight together
  const refused = events.length > 0 && events[0].a === "refuse";
  const readAfterEachDecision = events.some((e) => e.kind === "producer_state" && / after its decision on /.test(e.text || ""));
  const reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  let st = root.__mr;
  if (!st || st.id !== data.id) {
    if (st) st.halt();
    const start = Math.min(data.start || 0, last);
    st = { id: data.id, pos: start, head: start, drawn: -1, playing: false, anim: null, every: momentPositions.length === 0, tokens: new Map() };
    parts.tokens.replaceChildren();
    root.__mr = st;
  }
  st.halt = () => { if (st.anim) cancelAnimationFrame(st.anim.raf); st.anim = null; st.playing = false; };
  root.dataset.palette = "okabe-ito";
  for (const [meaning, colour] of Object.entries(data.palette || {})) root.style.setProperty(`--mr-${meaning}`, colour);
  root.classList.toggle("mr-large", !!data.large);
  parts.help.textContent = data.slide_keys
    ? "Keys: Home / End · Space play or pause (← → and a clicker move the slides) · click a letter or receipt in the post to break it."
    : "Keys: ← → step · Home / End · Space play or pause · click a letter or receipt in the post to break it.";
  parts.scrub.max = String(last);
  parts.every.checked = st.every;
  parts.every.disabled = momentPositions.length === 0;

  const speed = () => Number(parts.speed.value) || 1;

  function expand(name, runs) {
    const rows = (data.rows && data.rows[name]) || [];
    const out = [];
    for (const [first, lastId] of runs || []) for (let i = first; i <= lastId; i++) out.push(rows[i]);
    return out;
  }

  // ---- what stands still at a position: the sender's letters, the notebook, the shelf
  // The letters the sender's list has room for, and how far apart.  Nothing is folded while
  // every row fits, closer together if need be.  Past that, whole envelopes (all the letters of
  // one request, plan.envelopes) fold: settled ones that did not just change, oldest first.  An
  // envelope with a letter in the post or named by the sentence under the picture stays; only if
  // that is not enough do unsent envelopes fold (latest first), then the others.
  function senderRowsShown(frame, pos) {
    const rows = frame.sender;
    const step = SENDER_STEPS.find((gap) => rows.length <= rowsFitting(gap, SENDER_TOP));
    if (step) return { folded: [], step };
    const tight = SENDER_STEPS[SENDER_STEPS.length - 1];
    const room = rowsFitting(tight, SENDER_TOP + FOLD_LINE);
    const rowKey = (row) => `${row.what}\u0000${row.state}\u0000${row.detail}`;  // "did not just change": same words a step before
    const before = new Set(pos > 0 ? expand("sender", data.frames[pos - 1].sender).map(rowKey) : []);
    const inPost = new Set(expand("post", frame.post).flatMap((row) => String(row.what || "").split(", ")));
    const named = lettersNamed(caption(pos).text, rows.map((row) => row.what));
    const stays = (row) => inPost.has(row.what) || named.has(row.what);
    const envelopeOf = new Map();
    (data.envelopes || []).forEach((names, i) => names.forEach((name) => envelopeOf.set(name, i)));
    const units = [];  // the list's envelopes, in its order: a letter never sent is one on its own
    const unitOf = new Map();
    for (const row of rows) {
      const key = envelopeOf.has(row.what) ? `e${envelopeOf.get(row.what)}` : `r${units.length}`;
      if (!unitOf.has(key)) { unitOf.set(key, []); units.push(unitOf.get(key)); }
      unitOf.get(key).push(row);
    }
    const settled = units.filter((unit) => unit.every((row) => row.state !== "waiting" && !stays(row) && before.has(rowKey(row))));
    const unsent = units.filter((unit) => !settled.includes(unit) && unit.every((row) => row.state === "waiting" && !stays(row))).reverse();
    const rest = units.filter((unit) => !settled.includes(unit) && !unsent.includes(unit)).reverse();
    const folded = new Set();
    let shown = rows.length;
    for (const unit of [...settled, ...unsent, ...rest]) {
      if (shown <= room) break;
      unit.forEach((row) => folded.add(row));
      shown -= unit.length;
    }
    return { folded: rows.filter((row) => folded.has(row)), step: tight };
  }

  // Folded letters said as runs of the list: "m1…m4", "m1, m2", "m1…m4, m9".
  function foldedRuns(rows, folded) {
    const runs = [];
    let run = [];
    for (const row of rows) {
      if (folded.includes(row)) { run.push(row.what); continue; }
      if (run.length) runs.push(run);
      run = [];
    }
    if (run.length) runs.push(run);
    return runs.map((names) => (names.length > 2 ? `${names[0]}…${names[names.length - 1]}` : names.join(", "))).join(", ");
  }

  function drawSender(frame, pos) {
    const event = pos > 0 ? events[pos - 1] : null;
    const g = [];
    let badge, badgeIcon, badgeCls = "mr-badge";
    if (refused) { badge = "producer not created"; badgeIcon = "fatal"; badgeCls += " mr-bad"; }
    else if (frame.fatal) { badge = `fatal: ${errorWords(frame.fatal)}`; badgeIcon = "fatal"; badgeCls += " mr-bad"; }
    else if (frame.pid === null || frame.pid === undefined) { badge = data.idempotent ? "no PID yet" : "no PID (idempotence off)"; badgeIcon = "waiting"; badgeCls += " mr-none"; }
    else { badge = `PID ${frame.pid} · epoch ${frame.epoch}`; badgeIcon = "epoch"; }
    if (event && ["epoch", "pid", "restart", "fatal", "refuse"].includes(event.a)) badgeCls += " mr-flash";
    g.push(s("g", { class: badgeCls }, s("title", {}, frame.fatal || badge), icon(badgeIcon, SENDER.x + 12, 46, 18),
      boxed(SENDER.x + 36, 60, badge, SENDER.w - 44, "mr-t mr-badge-text")));
    const rows = frame.sender;
    const { folded, step } = senderRowsShown(frame, pos);
    const shown = rows.filter((row) => !folded.includes(row));
    let y = SENDER_TOP;
    if (folded.length) {
      const names = folded.map((row) => `${row.what} (${row.state})`).join(", ");
      g.push(s("g", { class: "mr-folded", "data-folded": folded.map((row) => row.what).join(",") }, s("title", {}, `Not shown: ${names}`),
        boxed(SENDER.x + 12, y + 4, `+${folded.length} not shown: ${foldedRuns(rows, folded)}`, SENDER.w - 20, "mr-t mr-small")));
      y += FOLD_LINE;
    }
    for (const row of shown) {
      const detail = row.state === "delivered" ? atOffset(row.detail) : row.state === "waiting" ? "…" : errorWords(row.detail);
      const words = `${row.what}: ${row.state === "delivered" ? "delivered " + row.detail : row.state === "waiting" ? "waiting for its receipt" : "failed, " + row.detail}`;
      g.push(s("g", { class: `mr-row mr-${row.state}`, "data-state": row.state }, s("title", {}, words),
        icon(row.state, SENDER.x + 12, y - 8, 16), boxed(SENDER.x + 34, y + 5, row.what, 116, "mr-t mr-what"),
        boxed(SENDER.x + 156, y + 5, detail, SENDER.w - 162, "mr-t mr-small")));
      y += step;
    }
    if (!rows.length && !refused) g.push(label(SENDER.x + 12, y + 4, "no letters yet", "mr-t mr-small mr-empty"));
    if (refused) {
      g.push(s("g", { class: "mr-desk" }, s("title", {}, "Your secretary's desk: the client library, which refused the registration form"),
        s("rect", { x: CX - 46, y: 226, width: 92, height: 10, rx: 2 }),
        label(CX, 256, "your secretary's desk", "mr-t mr-small", "middle"), label(CX, 274, "(the client library)", "mr-t mr-small", "middle")));
    }
    parts.sender.replaceChildren(...g);
    fitAll(parts.sender);
  }

  // Shelf copies stored after a letter that was produced after them (the tables' "reordered"),
  // partition by partition; the order of produce() calls is the sender's list.
  const produced = new Map(expand("sender", data.frames[last].sender).map((row, i) => [row.what, i]));
  function storedOutOfOrder(shelf) {
    const out = new Set();
    const latest = new Map();  // partition -> the latest produce() index stored so far
    for (const r of [...shelf].sort((a, b) => a.p - b.p || a.off - b.off)) {
      if (r.dup) continue;
      const order = produced.has(r.what) ? produced.get(r.what) : -1;
      if (latest.has(r.p) && order >= 0 && order < latest.get(r.p)) out.add(r);
      latest.set(r.p, Math.max(order, latest.has(r.p) ? latest.get(r.p) : -1));
    }
    return out;
  }

  // The letters a sentence names, longest name first ("m2 (sent again)" is not "m2").
  function lettersNamed(text, names) {
    const out = new Set();
    let rest = String(text || "");
    for (const name of [...new Set(names)].sort((a, b) => b.length - a.length)) {
      if (!rest.includes(name)) continue;  // a long run's shelf holds many names: no pattern for most
      const pattern = new RegExp(`(?<![\\w])${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w])`, "g");
      if (pattern.test(rest)) { out.add(name); rest = rest.replace(pattern, " "); }
    }
    return out;
  }

  // A label's width as drawn (user units), measured once per text; an estimate while the picture is not laid out.
  const widths = new Map();
  function textWidth(text, cls) {
    const key = `${cls}\u0000${text}`;
    if (widths.has(key)) return widths.get(key);
    const probe = label(0, -50, text, cls);
    parts.office.appendChild(probe);
    let width = 0;
    try { width = probe.getComputedTextLength(); } catch { width = 0; }
    probe.remove();
    if (!(width > 0)) return 8.4 * String(text).length;  // not laid out yet: not remembered
    widths.set(key, width);
    return width;
  }

  function drawOffice(frame, pos) {
    const event = pos > 0 ? events[pos - 1] : null;
    const hit = event && event.a === "decide" ? event : null;
    const g = [];
    const X = BOOKS_X;
    const down = frame.down && frame.down.length;
    parts.officeBox.classList.toggle("mr-closed", !!down);
    if (down) g.push(s("g", { class: "mr-down" }, icon("broker", OFFICE.x + 12, 44, 18), boxed(OFFICE.x + 36, 58, `closed: broker ${frame.down.join(", ")} down`, OFFICE.w - 44, "mr-t mr-bad-text")));
    if (refused) g.push(label(OFFICE.x + 12, 58, "never contacted", "mr-t mr-small mr-empty"));
    // The notebook: per producer (and partition), the batches it remembers.
    g.push(label(X, 86, "Notebook", "mr-t mr-head"), label(X + 84, 86, "seq → offset", "mr-t mr-small"));
    const notes = frame.notes.slice(-NOTE_ROWS);
    let y = 106;
    for (const note of notes) {
      const rowHit = hit && hit.res === "duplicate" && hit.pid === note.pid && hit.part === note.p;
      g.push(label(X, y, `PID ${note.pid} · epoch ${note.epoch}${data.partitions > 1 ? " · p" + note.p : ""}`, "mr-t mr-small"));
      // Each chip as wide as its words (measured); the newest chips that fit the row, older ones counted.
      const span = (a, z) => (a === z ? `${a}` : `${a}-${z}`);
      const chips = note.batches.map((b) => ({ b, text: `${span(b[0], b[1])}→@${span(b[2], b[3])}`, match: rowHit && hit.seq === b[0] }))
        .map((c) => ({ ...c, w: CHIP_PAD + textWidth(c.text, "mr-t mr-chip-text") + (c.match ? 18 : 0) }));
      const room = OFFICE.x + OFFICE.w - 8 - X;
      let kept = 0;
      for (let used = 0; kept < chips.length; kept++) {
        used += chips[chips.length - 1 - kept].w + (kept ? CHIP_GAP : 0);
        if (used > room) break;
      }
      let x = X;
      if (kept < chips.length) {  // said at the end of the row's own line, the older batches in its title
        const older = chips.slice(0, chips.length - kept).map(({ b }) => `sequence ${span(b[0], b[1])} at offset ${span(b[2], b[3])}`);
        const words = `+${older.length} older batch${older.length > 1 ? "es" : ""}`;
        g.push(s("g", { class: "mr-more-batches" }, s("title", {}, `${words.slice(1)} not shown: ${older.join("; ")}`),
          label(OFFICE.x + OFFICE.w - 12, y, words, "mr-t mr-small", "end")));
      }
      for (const { b, text, w, match } of chips.slice(chips.length - kept)) {
        const icon0 = match ? 18 : 0;  // the matching batch carries the dedup ring inside, at its left
        g.push(s("g", { class: `mr-batch${match ? " mr-hit" : ""}`, "data-seq": b[0] },
          s("title", {}, `sequence ${span(b[0], b[1])} stored at offset ${span(b[2], b[3])}${match ? ": the resent letter matches this one" : ""}`),
          s("rect", { x, y: y + 6, width: w, height: 24, rx: 4 }),
          boxed(x + (w + icon0) / 2, y + 23, text, w - icon0 - 6, "mr-t mr-chip-text", "middle"),
          match ? icon("dedup", x + 4, y + 11, 14) : null));
        x += w + CHIP_GAP;
      }
      y += 46;
    }
    // A real broker's notebook is what it answers to DescribeProducers: asked after each of its
    // decisions in a small run (those reads say "after its decision on …"), else after a broker action.
    const unasked = data.backend === "sim" ? "nothing noted yet"
      : readAfterEachDecision ? "real broker: read after each decision" : "real broker: read after a broker action";
    if (!frame.notes.length) g.push(label(X, y + 4, data.idempotent ? unasked : "no PIDs: nothing to note", "mr-t mr-small mr-empty"));
    // The shelf: the partition log, by offset.
    const shelf = frame.shelf;
    const shown = shelf.slice(-SHELF_SLOTS);
    g.push(label(X, 246, shelf.length > shown.length ? `Shelf (last ${shown.length} of ${shelf.length})` : "Shelf", "mr-t mr-head"));
    const reordered = storedOutOfOrder(shelf);
    const named = lettersNamed(caption(pos).text, shelf.map((r) => r.what));
    shown.forEach((r, i) => {
      const x = X + (i % 3) * 94, yy = 256 + Math.floor(i / 3) * 39;
      const isNew = hit && hit.res === "appended" && r.p === hit.part && r.off >= hit.off && r.off < hit.off + hit.n;
      const isOriginal = hit && hit.res === "duplicate" && r.p === hit.part && r.off === hit.off;
      const late = reordered.has(r);
      // A letter's whole name on two lines: "@3 m1" over "(sent again)", then its mark's word.
      const [, value, again] = /^(.*?)((?: \(sent [^)]*\))?)$/.exec(r.what);
      const second = [again.trim(), r.dup ? "dup" : late ? "reordered" : ""].filter(Boolean).join(" ");
      const cls = `mr-slot ${r.dup ? "mr-dup" : "mr-stored"}${late ? " mr-reordered" : ""}${isNew ? " mr-new" : ""}${isOriginal ? " mr-hit" : ""}${named.has(r.what) ? " mr-named" : ""}`;
      g.push(s("g", { class: cls, "data-off": r.off, "data-what": r.what },
        s("title", {}, `offset ${r.off}: ${r.what} (${r.ids})${r.dup ? ", a duplicate" : ""}${late ? ", reordered: stored after a letter produced after it" : ""}`),
        s("rect", { x, y: yy, width: 90, height: 36, rx: 4 }),
        icon(r.dup ? "duplicate" : late ? "reordered" : "stored", x + 4, yy + (second ? 3 : 10), 16),
        boxed(x + 24, yy + (second ? 15 : 23), `${data.partitions > 1 ? "p" + r.p : ""}@${r.off} ${value}`, 62, "mr-t mr-small"),
        second ? boxed(x + 5, yy + 31, second, 82, "mr-t mr-tiny mr-slot-second") : null));
    });
    if (!shelf.length) g.push(label(X, 276, "empty", "mr-t mr-small mr-empty"));
    // The clerk's answer, at the counter, for the event that just happened.
    let stamp = null;
    if (hit && hit.res === "duplicate") stamp = ["dedup", "already", `@${hit.off}`, "mr-stamp-dup"];
    else if (hit && hit.res === "appended") stamp = ["stored", "stored", `@${hit.off}`, "mr-stamp-new"];
    // A refusal (a rejecting decision, an error at the door) is drawn once: by its error reply, which sets off from there.
    if (stamp) {
      const [shapeName, word, detail, cls] = stamp;
      g.push(s("g", { class: `mr-clerk ${cls}` }, s("title", {}, event.text),
        s("rect", { x: STAMP.x, y: 210, width: STAMP.w, height: 48, rx: 6 }),
        icon(shapeName, STAMP.x + 6, 216, 16), boxed(STAMP.x + 26, 229, word, STAMP.w - 32, "mr-t mr-small mr-bold"),
        boxed(OX, 251, detail, STAMP.w - 8, "mr-t mr-small", "middle")));
    }
    parts.office.replaceChildren(...g);
    fitAll(parts.office);
  }

  // ---- what moves: an envelope's place and look at any playhead h
  const breakableKinds = new Set(["letter", "receipt"]);  // a produce request or its receipt
  const replyKind = (t) => (t.kind === "init" ? "init-reply" : t.back.err ? "error" : "receipt");
  const stagger = (t) => (t.kind === "letter" ? (((t.r - 1) % 3) - 1) * 12 : 0);
  // An answer the post office holds up (a "delay" fault) waits at its counter instead of travelling.
  const heldUp = new Set(events.filter((e) => e.a === "note" && e.act === "delay" && !e.init).map((e) => e.r));
  const isHeld = (t) => t.kind === "letter" && heldUp.has(t.r);
  // An envelope that leaves the post when the connection closes dies with it: it is lost, as a lost one is.
  const cutOff = (fate, at) => fate === "gone" && events[at - 1] !== undefined && events[at - 1].a === "closed";

  function outState(t, h) {
    if (t.fate === "refused") {
      if (h <= t.s) return null;
      const p = clamp((h - t.s) / (t.a - t.s));
      return { x: lerp(FORM_X0, CX, p), y: 200, o: 1, mark: p >= 1 ? "refused" : "" };
    }
    if (h <= t.s) return null;
    const p = clamp((h - t.s) / (t.a - t.s));
    const y = LANE.out + stagger(t);
    const doorX = door(TOKEN_HALF[t.kind === "init" ? "init" : "letter"]);
    if (t.fate === "in" || t.fate === "door") {
      if (h >= t.a) return null;
      return { x: lerp(doorX, t.fate === "in" ? OX : officeDoor(TOKEN_HALF[t.kind === "init" ? "init" : "letter"]), Math.min(1, p / 0.85)), y, o: 1, mark: "" };
    }
    const fade = clamp(h - (t.a - 1));
    if (t.fate === "lost" || cutOff(t.fate, t.a)) {
      if (h >= Math.max(t.g, t.a + 1)) return null;
      return { x: lerp(doorX, LX, p), y, o: 1 - 0.62 * fade, mark: fade >= 1 ? "lost" : "" };
    }
    if (h >= t.a) return null;
    return { x: lerp(doorX, LX, p), y, o: 1 - fade, mark: "" };
  }

  function backState(t, h) {
    const b = t.back;
    if (!b || h < b.s) return null;
    const p = clamp((h - b.s) / (b.a - b.s));
    const from = t.fate === "door" ? officeDoor(TOKEN_HALF[replyKind(t)]) : OX;
    const doorX = door(TOKEN_HALF[replyKind(t)]);
    const y = LANE.back + stagger(t);
    const held = isHeld(t);
    const heldX = LANE.x1 - TOKEN_HALF[replyKind(t)] - 6;  // at the post office's door, in the receipts lane
    if (b.fate === "in") {
      if (h >= b.a) return null;
      if (held) return { x: lerp(heldX, doorX, clamp(h - (b.a - 1))), y, o: 1, mark: "", held: h < b.a - 1 };
      return { x: lerp(from, doorX, p), y, o: 1, mark: "" };
    }
    const fade = clamp(h - (b.a - 1));
    if (b.fate === "lost" || cutOff(b.fate, b.a)) {
      if (h >= Math.max(t.g, b.a + 1)) return null;
      const mark = fade >= 1 ? "lost" : "";
      return { x: held ? heldX : lerp(from, LX, p), y, o: 1 - 0.62 * fade, mark, held: held && !mark, queued: held };
    }
    if (h >= b.a) return null;
    if (held) return { x: heldX, y, o: 1 - fade, mark: "", held: true };  // still held where the run ends (a preview)
    return { x: lerp(from, LX, p), y, o: 1 - fade, mark: "" };
  }

  function twoLines(first, second) {
    return s("text", { class: "mr-t mr-tok-text", "text-anchor": "middle" },
      s("tspan", { x: 0, y: 6, class: "mr-bold" }, first), s("tspan", { x: 0, y: 18, class: "mr-tiny" }, ` ${second}`));
  }

  function makeToken(t, back) {
    const b = t.back;
    let kind, body, words;
    if (t.kind === "form") {
      kind = "form";
      words = "The registration form: numbered letters (idempotence) with short receipts";
      body = [s("rect", { x: -TOKEN_HALF.form, y: -22, width: 2 * TOKEN_HALF.form, height: 44, rx: 3, class: "mr-tok-body" }),
        twoLines("registration", "idempotence")];
    } else if (!back && t.kind === "init") {
      kind = "init";
      words = `${capitalised(t.name)}: asking for a producer id`;
      body = [s("rect", { x: -38, y: -18, width: 76, height: 36, rx: 14, class: "mr-tok-body" }), icon("epoch", -32, -8, 16),
        label(8, 6, "PID?", "mr-t mr-bold", "middle")];
    } else if (!back) {
      kind = "letter";
      words = `${t.retry ? "Resent letter" : "Letter"} for request #${t.r}: ${t.what}, ${t.ids || "no PID"}`;
      body = [s("rect", { x: -42, y: -22, width: 84, height: 44, rx: 4, class: "mr-tok-body" }),
        s("path", { d: "M-42 -21L0 -7L42 -21", class: "mr-flap" }), twoLines(fit(batchName(t.what), 8), seqOf(t.ids))];
      if (t.retry) body.push(s("circle", { cx: 38, cy: -18, r: 10, class: "mr-retry-dot" }), label(38, -14, "↻", "mr-t mr-tiny mr-retry-mark", "middle"));
    } else if (b.err) {
      kind = "error";
      words = `Error reply for ${t.name}: ${b.err}`;
      body = [s("rect", { x: -TOKEN_HALF.error, y: -22, width: 2 * TOKEN_HALF.error, height: 44, rx: 3, class: "mr-tok-body" }),
        icon("failed", -44, -18, 16), boxed(8, -1, "error", 56, "mr-t mr-small mr-bold", "middle"),
        boxed(0, 16, errorWords(b.err), 2 * TOKEN_HALF.error - 8, "mr-t mr-small", "middle")];
    } else {
      kind = t.kind === "init" ? "init-reply" : "receipt";
      const text = b.label;
      words = `${b.err ? "Error reply" : t.kind === "init" ? "Reply" : "Receipt"} for ${t.name}: ${b.err || b.label}${b.dup ? " (a copy of the original receipt)" : ""}`
        + (isHeld(t) ? ", held up at the post office: that is its fault already, so it cannot be broken a second way" : "");
      body = [s("rect", { x: -42, y: -18, width: 84, height: 36, rx: t.kind === "init" ? 14 : 3, class: "mr-tok-body" }),
        icon(b.err ? "failed" : t.kind === "init" ? "epoch" : "check", -37, -8, 16, "mr-okmark"),
        s("g", { class: "mr-heldmark" }, icon("held", -37, -8, 16, "mr-icon-waiting"), label(0, -24, "held", "mr-t mr-small mr-bold", "middle")),
        boxed(10, b.dup ? 1 : 5, text, 60, "mr-t mr-small mr-bold", "middle")];
      if (b.dup) body.push(label(8, 13, "copy", "mr-t mr-tiny", "middle"));
    }
    // A mark (lost, refused) crosses the envelope but lies under its words, which keep a halo
    // of the background: the words stay readable at full contrast whatever is drawn with them.
    const isWords = (part) => part.tagName === "text";
    const node = s("g", { class: `mr-tok mr-tok-${kind}${t.retry && !back ? " mr-retry" : ""}`, "data-r": t.r, "data-kind": kind, "data-key": t.k,
      "data-fault": back && isHeld(t) ? "delay" : null },
      s("title", {}, words), ...body.filter((part) => !isWords(part)),
      // A reply's word goes above it: under the receipts lane is the lane's own name.
      s("g", { class: "mr-lostmark" }, s("path", { d: "M-16 -16L16 16M16 -16L-16 16" }), label(0, back ? -24 : 34, "lost", "mr-t mr-small mr-bold", "middle")),
      s("g", { class: "mr-refusedmark" }, s("path", { d: "M-20 -20L20 20M20 -20L-20 20" }), label(0, -28, "REFUSED", "mr-t mr-small mr-bold", "middle")),
      ...body.filter(isWords));
    node.__words = words;
    parts.tokens.appendChild(node);
    fitAll(node);
    return node;
  }

  function placeToken(key, t, back, state) {
    let node = st.tokens.get(key);
    if (!state) { if (node) node.style.display = "none"; return; }
    if (!node) { node = makeToken(t, back); st.tokens.set(key, node); }
    node.style.display = "";
    node.setAttribute("transform", `translate(${state.x.toFixed(1)},${state.y})`);
    // A lost envelope stays where it was lost, its paper faded (its words not), under a mark drawn at full strength.
    node.setAttribute("opacity", state.mark === "lost" ? "1" : state.o.toFixed(2));
    node.classList.toggle("mr-is-lost", state.mark === "lost");
    node.classList.toggle("mr-is-refused", state.mark === "refused");
    node.classList.toggle("mr-is-held", !!state.held);
    const breakable = data.interactive && breakableKinds.has(node.dataset.kind) && !node.dataset.fault && !state.mark && !st.playing && !st.anim;
    if (breakable) {
      node.setAttribute("role", "button");
      node.setAttribute("tabindex", "0");
      node.setAttribute("aria-label", `${node.querySelector(":scope > text").textContent.trim()}: ${node.__words}. Press to break it.`);
    } else {
      for (const name of ["role", "tabindex", "aria-label"]) node.removeAttribute(name);
    }
  }

  // Replies that travel together (a broker answering several requests at once) queue up one
  // behind the other in the receipts lane instead of being drawn on top of each other: the
  // foremost (leftmost) keeps its place, each next one is pushed back, and the queue never
  // reaches past the post office's counter.
  function queueReplies(placed) {
    const half = ([t]) => TOKEN_HALF[replyKind(t)];
    const moving = placed.filter(([, st]) => st && (!st.mark || st.queued)).sort((a, b) => a[1].x - b[1].x);
    const own = moving.map(([, st]) => st.x);
    for (let i = 1; i < moving.length; i++) {
      const gap = half(moving[i - 1]) + half(moving[i]) + 6;
      moving[i][1].x = Math.max(moving[i][1].x, moving[i - 1][1].x + gap);
    }
    for (let i = moving.length - 1; i >= 0; i--) {
      const end = Math.max(own[i], LANE.x1 - half(moving[i]) - 6);  // a pushed reply stays in the lane
      const limit = i === moving.length - 1 ? end : Math.min(end, moving[i + 1][1].x - half(moving[i + 1]) - half(moving[i]) - 6);
      moving[i][1].x = Math.min(moving[i][1].x, limit);
    }
  }

  function drawTokens(h) {
    const replies = [];
    for (const t of trips) {
      placeToken(t.k + ".o", t, false, outState(t, h));
      if (t.back) replies.push([t, backState(t, h)]);
    }
    queueReplies(replies);
    for (const [t, state] of replies) placeToken(t.k + ".b", t, true, state);
  }

  function describe(pos) {
    const event = pos > 0 ? events[pos - 1] : null;
    const moment = momentAt.get(pos);
    const head = `Step ${pos} of ${last}`;
    if (!event) return `${head}: before the first event. Press Next step to start.`;
    return withoutBackticks(`${head}${moment ? " — key moment, " + (MOMENT_WORDS[moment.kind] || moment.kind) + ": " + sentence(moment.text) : "."} ${moment && moment.text === event.text ? "" : sentence(event.text)}`.trim());
  }

  // The sentence under the picture, whole: it wraps, and its line is as tall as the run's
  // tallest sentence (measured at this width), so the controls do not move from step to step.
  function caption(pos) {
    const moment = momentAt.get(pos);
    const event = pos > 0 ? events[pos - 1] : null;
    const mark = moment ? `${MOMENT_WORDS[moment.kind] || moment.kind}: ` : "";
    const refusedAtOnce = events.length > 0 && events[0].a === "refuse";  // the picture shows the ending from step 0
    let text = moment ? firstSentence(moment.text) : event ? firstSentence(event.text)
      : refusedAtOnce ? "The producer was never created: nothing was sent. Press Next step for the client's words."
      : (last ? "Press Play or Next step to start." : "Nothing happened in this run.");
    if ((data.together || {})[pos]) text += ` ${capitalised(data.together[pos])}.`; // plan.together
    return { mark, text };
  }

  function showCaption(pos) {
    const { mark, text } = caption(pos);
    parts.nowMark.replaceChildren(...(mark ? [shape("moment", "mr-moment-mark"), el("b", { text: mark })] : []));
    parts.nowText.replaceChildren(...withCode(text));
  }

  function reserveCaption() {
    const width = parts.now.clientWidth;
    if (!width || (st.captionWidth === width && st.captionFor === data.id)) return;
    const longest = Array.from({ length: last + 1 }, (_, pos) => [pos, caption(pos)])
      .sort((a, b) => (b[1].mark.length + b[1].text.length) - (a[1].mark.length + a[1].text.length)).slice(0, 6);
    parts.now.style.minHeight = "0";
    let tallest = 0;
    for (const [pos] of longest) { showCaption(pos); tallest = Math.max(tallest, parts.now.scrollHeight); }
    parts.now.style.minHeight = tallest ? `${tallest}px` : "";
    st.captionWidth = width;
    st.captionFor = data.id;
    showCaption(st.drawn >= 0 ? st.drawn : st.pos);
  }

  function drawStatic(pos) {
    const packed = data.frames[pos];
    const frame = { ...packed, sender: expand("sender", packed.sender), shelf: expand("shelf", packed.shelf), notes: expand("notes", packed.notes) };
    drawSender(frame, pos);
    drawOffice(frame, pos);
    showCaption(pos);
    parts.live.textContent = describe(pos);
    parts.scrub.value = String(pos);
    parts.scrub.setAttribute("aria-valuetext", `step ${pos} of ${last}`);
    parts.count.textContent = `${pos} / ${last}`;
    for (const chip of parts.moments.querySelectorAll("button")) {
      if (Number(chip.dataset.pos) === pos) chip.setAttribute("aria-current", "step"); else chip.removeAttribute("aria-current");
    }
    root.dataset.pos = String(pos);
    st.drawn = pos;
  }

  function drawControls() {
    const pos = st.pos;
    parts.prev.disabled = pos <= 0;
    parts.first.disabled = pos <= 0;
    parts.next.disabled = pos >= last;
    parts.last.disabled = pos >= last;
    parts.play.replaceChildren(shape(st.playing ? "pause" : "play"), el("span", { text: st.playing ? "Pause" : "Play" }));
    root.dataset.playing = st.playing ? "1" : "0";
    root.dataset.moving = st.anim ? "1" : "0";
  }

  function render(h) {
    st.head = h;
    const pos = Math.max(0, Math.min(last, Math.floor(h + 1e-6)));
    if (st.playing) st.pos = pos;
    if (pos !== st.drawn) { drawStatic(pos); drawControls(); }
    drawTokens(h);
  }

  // ---- time: the playhead's path from one position to another
  function segments(from, to, withHolds) {
    const segs = [];
    let t = 0, h = from;
    while (h < to - 1e-9) {
      const k = Math.floor(h + 1e-9);
      const next = Math.min(k + 1, to);
      const ms = (beats[k] || 300) * (next - h);
      segs.push({ t0: t, t1: t + ms, h0: h, h1: next });
      t += ms;
      h = next;
      if (withHolds && holds[String(h)] && h < to) { segs.push({ t0: t, t1: t + holds[String(h)], h0: h, h1: h }); t += holds[String(h)]; }
    }
    return { segs, total: t };
  }

  function run(to, plan, scale) {
    if (st.anim) cancelAnimationFrame(st.anim.raf);
    const total = plan.total * scale;
    if (reduced || total <= 0) { st.anim = null; st.pos = to; render(to); finish(); return; }
    const anim = { to, segs: plan.segs, scale, t0: performance.now(), i: 0, raf: 0 };
    st.anim = anim;
    drawControls();
    const step = (now) => {
      if (st.anim !== anim) return;
      const elapsed = (now - anim.t0) / anim.scale;
      while (anim.i < anim.segs.length - 1 && elapsed >= anim.segs[anim.i].t1) anim.i++;
      const seg = anim.segs[anim.i];
      if (elapsed >= plan.total) { st.anim = null; st.pos = to; render(to); finish(); return; }
      render(lerp(seg.h0, seg.h1, clamp((elapsed - seg.t0) / Math.max(1, seg.t1 - seg.t0))));
      anim.raf = requestAnimationFrame(step);
    };
    anim.raf = requestAnimationFrame(step);
  }

  function finish() {
    if (st.playing && st.pos >= last) st.playing = false;
    drawControls();
    drawTokens(st.head);
  }

  // Whatever is moving ends where it was going (a click mid-movement acts from there).
  function settle() {
    if (st.anim) {
      const to = st.playing ? Math.min(last, Math.ceil(st.head - 1e-6)) : st.anim.to;
      cancelAnimationFrame(st.anim.raf);
      st.anim = null;
      st.pos = to;
      render(to);
    }
    st.playing = false;
  }

  function jump(pos) {
    settle();
    closeMenu();
    st.pos = Math.max(0, Math.min(last, pos));
    render(st.pos);
    drawControls();
  }

  function nextPos(from) {
    if (st.every) return Math.min(last, from + 1);
    const after = stopPositions.find((p) => p > from);
    return after === undefined ? last : after;
  }

  function prevPos(from) {
    if (st.every) return Math.max(0, from - 1);
    const before = stopPositions.filter((p) => p < from);
    return before.length ? before[before.length - 1] : 0;
  }

  function stepForward() {
    settle();
    closeMenu();
    const to = nextPos(st.pos);
    if (to === st.pos) { drawControls(); return; }
    const plan = segments(st.head, to, false);
    st.pos = to;
    run(to, plan, plan.total > data.next_ms ? data.next_ms / plan.total : 1);
  }

  function play() {
    closeMenu();
    if (st.pos >= last) { st.pos = 0; render(0); }
    st.playing = true;
    run(last, segments(st.head, last, true), 1 / speed());
  }

  function togglePlay() {
    if (st.playing) { settle(); drawControls(); drawTokens(st.head); return; }
    settle();
    play();
  }

  function closeMenu() { parts.menu.hidden = true; parts.menu.replaceChildren(); }

  function openMenu(node) {
    const r = Number(node.dataset.r);
    const receipt = node.dataset.kind === "receipt";
    const choose = (action, text) => el("button", { type: "button", class: "mr-btn", onclick: () => {
      parts.menu.replaceChildren(el("p", { text: `Running again from the start with request #${r}: ${text}…` }));
      setTriggerValue("fault", { request_no: r, action, error: action === "error" ? "NOT_ENOUGH_REPLICAS" : null });
    } }, text);
    const lose = receipt ? choose("drop_response", "lose this receipt") : choose("drop_request", "lose this letter");
    parts.menu.replaceChildren(
      el("p", { text: `Break request #${r} (${receipt ? "its receipt is on the way back" : "the letter is on its way"}) and run again:` }),
      lose, choose("error", "answer with an error"),
      el("button", { type: "button", class: "mr-btn", onclick: () => { closeMenu(); node.focus(); } }, "cancel"));
    parts.menu.hidden = false;
    parts.menu.querySelector("button")?.focus();
  }

  function tokenFrom(target) {
    const node = target.closest && target.closest(".mr-tok");
    const whole = node && !node.dataset.fault && !node.classList.contains("mr-is-lost");  // a held answer has its fault already
    return whole && data.interactive && breakableKinds.has(node.dataset.kind) ? node : null;
  }

  // Moments as chips: every key moment one click away.
  parts.moments.replaceChildren(...(data.moments || []).map((m, i) => {
    const word = `${i + 1}. ${MOMENT_WORDS[m.kind] || m.kind}`;
    return el("li", {}, el("button", { type: "button", class: "mr-chip", "data-pos": m.event + 1, title: m.text,
      "aria-label": `Key moment ${word}`, onclick: () => jump(m.event + 1) }, shape("moment"), word));
  }));

  // Handlers are (re)bound on every call so they see this call's data.
  parts.first.onclick = () => jump(0);
  parts.prev.onclick = () => { settle(); jump(prevPos(st.pos)); };
  parts.next.onclick = stepForward;
  parts.last.onclick = () => jump(last);
  parts.play.onclick = togglePlay;
  parts.scrub.oninput = () => jump(Number(parts.scrub.value));
  parts.every.onchange = () => { st.every = parts.every.checked; };
  parts.speed.onchange = () => { if (st.playing) { const h = st.head; if (st.anim) cancelAnimationFrame(st.anim.raf); st.anim = null; st.head = h; run(last, segments(h, last, true), 1 / speed()); } };
  parts.svg.onclick = (e) => {
    const node = tokenFrom(e.target);
    if (node) { settle(); drawControls(); drawTokens(st.head); openMenu(node); }
  };
  parts.svg.onkeydown = (e) => {
    const node = tokenFrom(e.target);
    if (node && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); e.stopPropagation(); openMenu(node); }
  };
  root.onkeydown = (e) => {
    if (data.slide_keys && SLIDE_KEYS.has(e.key)) { leaveToSlides(e); return; }
    if (e.target.matches("input, select") || e.altKey || e.ctrlKey || e.metaKey) return;
    const keys = { ArrowRight: () => parts.next.onclick(), ArrowLeft: () => parts.prev.onclick(),
      Home: () => parts.first.onclick(), End: () => parts.last.onclick(), Escape: closeMenu };
    if (e.key === " " && !e.target.matches("button, [role=button]")) keys[" "] = togglePlay;
    if (keys[e.key]) { keys[e.key](); e.preventDefault(); e.stopPropagation(); }
  };

  if (!st.anim) { st.drawn = -1; render(st.pos); }
  reserveCaption();
  if (!root.__captionWatch && window.ResizeObserver) {
    root.__captionWatch = new ResizeObserver(() => root.__reserveCaption && root.__reserveCaption());
    root.__captionWatch.observe(parts.now);
  }
  root.__reserveCaption = reserveCaption;
  drawControls();
  if (data.autoplay && !st.started) { st.started = true; togglePlay(); }
  return () => { st.halt(); };
}
