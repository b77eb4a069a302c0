// The animated mail room: draws a run that Python computed (idemlab/replay.py) and steps,
// plays and scrubs it in the browser, with no server round trip.  Only a click that breaks
// a letter or a receipt talks to Python (the "fault" trigger).  Trace values reach the
// page as text nodes only (textContent / createElementNS), never as markup.

const SVG = "http://www.w3.org/2000/svg";
const BASE_STEP_MS = 1100;

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

// Shapes beside the words (never colour alone): one small SVG per meaning.
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
};

function shape(name, cls) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("class", `mr-shape mr-shape-${name} ${cls || ""}`);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const [tag, attrs] of SHAPES[name] || []) {
    const part = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) part.setAttribute(k, String(v));
    svg.appendChild(part);
  }
  return svg;
}

const MOMENT_WORDS = {
  ack_lost: "receipt lost", request_lost: "letter lost", retry: "retry", duplicate_caught: "duplicate caught",
  duplicate_stored: "stored twice", epoch_bump: "epoch bump", fatal_error: "fatal error", reordered: "out of order",
  lost: "lost", failed_but_stored: "failed but stored", delivered_not_stored: "delivered, not stored",
  producer_restart: "producer restart", new_producer_id: "new producer id", broker_down: "broker down",
  broker_up: "broker back", leader_change: "leader change", expired: "producer forgotten",
};

// A term that shows its glossary entry on hover and on keyboard focus (CSS, from data-tip:
// an attribute, never markup).
function term(word, tip) {
  return el("span", { class: "mr-term", tabindex: 0, "data-tip": tip || "", "aria-description": tip || "" }, word);
}

function skeleton(root, glossary) {
  const g = glossary || {};
  const parts = {};
  parts.banner = el("div", { class: "mr-banner", hidden: true, role: "status" });
  parts.senderBadge = el("p", { class: "mr-badge" });
  parts.senderList = el("ul", { class: "mr-list" });
  parts.lettersLane = el("div", { class: "mr-lane mr-lane-out", "aria-label": "Letters on the way to the post office" });
  parts.receiptsLane = el("div", { class: "mr-lane mr-lane-back", "aria-label": "Receipts on the way back" });
  parts.road = el("div", { class: "mr-road" },
    el("p", { class: "mr-lane-title", text: "letters →" }), parts.lettersLane,
    el("p", { class: "mr-lane-title", text: "← receipts" }), parts.receiptsLane);
  parts.menu = el("div", { class: "mr-menu", hidden: true, role: "dialog", "aria-label": "Break it" });
  parts.clerk = el("p", { class: "mr-clerk" });
  parts.notebook = el("table", { class: "mr-notebook" });
  parts.shelf = el("ol", { class: "mr-shelf" });
  parts.officeState = el("p", { class: "mr-office-state", hidden: true });
  parts.office = el("section", { class: "mr-box mr-office", "aria-label": "Post office (broker)" },
    el("h4", { text: "Post office (broker)" }), parts.officeState, parts.clerk,
    el("h5", {}, term("Notebook", g["producer state"]), " (last 5 ", term("batches", g["batch"]), " per producer, per partition)"),
    parts.notebook,
    el("h5", {}, "Shelf (partition log, by ", term("offset", g["offset"]), ")"),
    parts.shelf);
  const stage = el("div", { class: "mr-stage" },
    el("section", { class: "mr-box mr-sender", "aria-label": "Sender (producer)" },
      el("h4", { text: "Sender (producer)" }), parts.senderBadge,
      el("p", { class: "mr-terms" }, term("PID", g["PID"]), " · ", term("epoch", g["epoch"]), " · ",
        term("seq", g["sequence number"])),
      parts.senderList),
    el("section", { class: "mr-box mr-post", "aria-label": "In the post" },
      el("h4", {}, "In the post (", term("in flight", g["in flight"]), ")"), parts.road, parts.menu),
    parts.office);
  parts.counts = el("p", { class: "mr-counts" });
  parts.step = el("p", { class: "mr-step" });
  parts.live = el("p", { class: "mr-live", "aria-live": "polite", "aria-atomic": "true" });
  parts.first = el("button", { type: "button", class: "mr-btn", "aria-label": "First step", title: "Start (Home)" }, "|◀ Start");
  parts.prev = el("button", { type: "button", class: "mr-btn", "aria-label": "Previous step", title: "Previous step (←)" }, "◀ Back");
  parts.play = el("button", { type: "button", class: "mr-btn mr-primary", "aria-label": "Play", title: "Play / pause (Space)" }, "▶ Play");
  parts.next = el("button", { type: "button", class: "mr-btn mr-primary", "aria-label": "Next step", title: "Next step (→)" }, "Next ▶");
  parts.last = el("button", { type: "button", class: "mr-btn", "aria-label": "Last step", title: "End (End)" }, "End ▶|");
  parts.scrub = el("input", { type: "range", class: "mr-scrub", min: 0, max: 0, value: 0, "aria-label": "Step" });
  parts.every = el("input", { type: "checkbox", class: "mr-every" });
  parts.speed = el("select", { class: "mr-speed", "aria-label": "Play speed" },
    el("option", { value: "0.5", text: "slow" }), el("option", { value: "1", text: "normal", selected: true }),
    el("option", { value: "2", text: "fast" }));
  parts.moments = el("ol", { class: "mr-moments", "aria-label": "Key moments" });
  const controls = el("div", { class: "mr-controls" },
    parts.first, parts.prev, parts.play, parts.next, parts.last, parts.scrub,
    el("label", { class: "mr-check" }, parts.every, " every event"),
    el("label", { class: "mr-check" }, "speed ", parts.speed));
  root.append(parts.banner, stage, el("div", { class: "mr-readout" }, parts.step, parts.counts), parts.live,
    controls, parts.moments,
    el("p", { class: "mr-help", text: "Keys: ← → step · Home / End · Space play or pause. Click a letter or receipt in the post to break it." }));
  return parts;
}

function letterButton(item, interactive) {
  const receipt = item.phase === "receipt" || item.phase === "lost_receipt";
  const lost = item.phase.startsWith("lost_");
  const word = receipt ? "receipt" : "letter";
  const label = `${item.retry ? "Resent " : ""}${word} for request #${item.r}: ${item.what}, ${item.ids}${lost ? " — lost" : ""}`;
  const node = el(interactive && !lost ? "button" : "div", {
    class: `mr-env mr-env-${receipt ? "receipt" : "letter"}${item.retry ? " mr-retry" : ""}${lost ? " mr-lost" : ""}`,
    "data-r": item.r, "data-phase": item.phase, type: interactive && !lost ? "button" : null,
    "aria-label": interactive && !lost ? `${label}. Press to break it.` : label, title: label,
  },
  shape(lost ? "lost" : receipt ? "receipt" : "letter"),
  el("span", { class: "mr-env-what", text: `#${item.r} ${item.what}` }),
  el("span", { class: "mr-stamp", text: receipt ? (lost ? "receipt lost" : "receipt") : item.ids || "no PID" }));
  return node;
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  if (!data || !data.frames) return undefined;
  let root = parentElement.querySelector(".mr");
  if (!root) {
    root = el("div", { class: "mr", role: "region", "aria-label": "The mail room, animated", tabindex: -1 });
    parentElement.appendChild(root);
    root.__parts = skeleton(root, data.glossary);
  }
  const parts = root.__parts;
  const last = data.events.length;
  const momentPositions = (data.moments || []).map((m) => m.event + 1);
  const momentAt = new Map((data.moments || []).map((m) => [m.event + 1, m]));
  let st = root.__mr;
  if (!st || st.id !== data.id) {
    if (st) st.stop();
    st = { id: data.id, pos: Math.min(data.start || 0, last), playing: false, timer: null, every: momentPositions.length === 0 };
    root.__mr = st;
  }
  st.stop = () => { if (st.timer) clearTimeout(st.timer); st.timer = null; st.playing = false; };
  root.dataset.palette = "okabe-ito";
  for (const [meaning, colour] of Object.entries(data.palette || {})) root.style.setProperty(`--mr-${meaning}`, colour);
  root.classList.toggle("mr-large", !!data.large);
  parts.scrub.max = String(last);
  parts.every.checked = st.every;
  parts.every.disabled = momentPositions.length === 0;

  function speed() { return Number(parts.speed.value) || 1; }

  function drawSender(frame) {
    const who = frame.pid === null || frame.pid === undefined
      ? (data.idempotent ? "no producer id yet" : "no producer id (idempotence off)")
      : `PID ${frame.pid} · epoch ${frame.epoch}`;
    parts.senderBadge.textContent = who;
    parts.senderBadge.classList.toggle("mr-fatal-badge", !!frame.fatal);
    const items = frame.sender.map((s) => el("li", { class: `mr-${s.state}` }, shape(s.state),
      el("span", { text: `${s.what}: ${s.state === "delivered" ? "✓ receipt, " + s.detail : s.state === "waiting" ? "waiting for its receipt" : "✗ " + s.detail}` })));
    parts.senderList.replaceChildren(...(items.length ? items : [el("li", { class: "mr-empty", text: "no letters yet" })]));
  }

  function drawPost(frame) {
    const letters = frame.post.filter((p) => p.phase === "letter" || p.phase === "lost_letter");
    const receipts = frame.post.filter((p) => p.phase === "receipt" || p.phase === "lost_receipt");
    const interactive = !!data.interactive;
    parts.lettersLane.replaceChildren(...letters.map((p) => letterButton(p, interactive)));
    parts.receiptsLane.replaceChildren(...receipts.map((p) => letterButton(p, interactive)));
    if (!letters.length) parts.lettersLane.appendChild(el("p", { class: "mr-empty", text: "nothing on the way" }));
    if (!receipts.length) parts.receiptsLane.appendChild(el("p", { class: "mr-empty", text: "nothing on the way" }));
  }

  function drawOffice(frame, event) {
    const hit = event && event.a === "decide" ? event : null;
    const down = frame.down && frame.down.length;
    parts.officeState.hidden = !down;
    parts.officeState.textContent = down ? `Closed: broker ${frame.down.join(", ")} is down` : "";
    parts.office.classList.toggle("mr-closed", !!down);
    const rows = [];
    rows.push(el("tr", {}, el("th", { scope: "col", text: "producer" }), el("th", { scope: "col", text: "sequence numbers → offsets" })));
    for (const note of frame.notes) {
      const batches = note.batches.map((b) => {
        const match = hit && hit.res === "duplicate" && hit.pid === note.pid && hit.part === note.p && hit.seq === b[0];
        return el("span", { class: `mr-batch${match ? " mr-hit" : ""}`, "data-seq": b[0] },
          match ? shape("duplicate") : null,
          `seq ${b[0] === b[1] ? b[0] : b[0] + "–" + b[1]} → offset ${b[2] === b[3] ? b[2] : b[2] + "–" + b[3]}`);
      });
      const matchRow = hit && hit.res === "duplicate" && hit.pid === note.pid && hit.part === note.p;
      rows.push(el("tr", { class: matchRow ? "mr-hit-row" : null },
        el("td", { text: `PID ${note.pid} · epoch ${note.epoch}${data.partitions > 1 ? " · p" + note.p : ""}` }),
        el("td", {}, ...batches)));
    }
    if (!frame.notes.length) rows.push(el("tr", {}, el("td", { colspan: 2, class: "mr-empty", text: data.idempotent ? "nothing noted yet" : "nothing noted (no producer id: idempotence is off)" })));
    parts.notebook.replaceChildren(el("caption", { class: "mr-sr", text: "The broker's notebook" }), ...rows);
    const shelf = frame.shelf.map((r) => {
      const isNew = hit && hit.res === "appended" && r.p === hit.part && r.off >= hit.off && r.off < hit.off + hit.n;
      const isOriginal = hit && hit.res === "duplicate" && r.p === hit.part && r.off === hit.off;
      return el("li", { class: `${r.dup ? "mr-dup" : "mr-stored"}${isNew ? " mr-new" : ""}${isOriginal ? " mr-hit" : ""}` },
        shape(r.dup ? "duplicate" : "stored"),
        el("span", { text: `${data.partitions > 1 ? "p" + r.p + " " : ""}offset ${r.off}: ${r.what}${r.dup ? " — DUPLICATE" : ""}` }),
        el("span", { class: "mr-stamp", text: r.ids }));
    });
    parts.shelf.replaceChildren(...(shelf.length ? shelf : [el("li", { class: "mr-empty", text: "the shelf is empty" })]));
    let said = "";
    if (hit && hit.res === "duplicate") said = `“Already on the shelf at offset ${hit.off}: here is a copy of the receipt.” Nothing is stored again.`;
    else if (hit && hit.res === "appended") said = `“New letter: on the shelf at offset ${hit.off}.”`;
    else if (hit && hit.res === "rejected") said = `“Refused: ${hit.err}.” Nothing stored.`;
    parts.clerk.textContent = said ? `Clerk: ${said}` : "Clerk: waiting for letters.";
    parts.clerk.classList.toggle("mr-clerk-dup", !!(hit && hit.res === "duplicate"));
  }

  function drawBanner(frame, event) {
    let text = "", kind = "";
    if (frame.fatal) { text = `Fatal error: ${frame.fatal}. The producer stops; every letter still waiting fails.`; kind = "fatal"; }
    else if (event && event.a === "epoch") { text = `Epoch bump: ${event.from} → ${event.to}. Same producer id, a new epoch; sequence numbers start again at 0.`; kind = "epoch"; }
    else if (event && event.a === "restart") { text = "The producer restarted: it will get a new producer id, and the broker cannot link its letters to the old ones."; kind = "epoch"; }
    parts.banner.hidden = !text;
    parts.banner.className = `mr-banner mr-banner-${kind}`;
    parts.banner.replaceChildren(...(text ? [shape(kind === "fatal" ? "fatal" : "epoch"), el("span", { text })] : []));
  }

  function describe(pos) {
    const event = pos > 0 ? data.events[pos - 1] : null;
    const moment = momentAt.get(pos);
    const head = `Step ${pos} of ${last}`;
    if (!event) return `${head}: before the first event. Press Next step to start.`;
    const sentence = (text) => String(text).replace(/[.\s]+$/, "") + ".";
    return `${head}${moment ? " — key moment, " + (MOMENT_WORDS[moment.kind] || moment.kind) + ": " + sentence(moment.text) : "."} ${sentence(event.text)}`;
  }

  function expand(name, runs) {
    const rows = (data.rows && data.rows[name]) || [];
    const out = [];
    for (const [first, lastId] of runs || []) for (let i = first; i <= lastId; i++) out.push(rows[i]);
    return out;
  }

  function draw(pos, animate) {
    const packed = data.frames[pos];
    const frame = { ...packed, sender: expand("sender", packed.sender), post: expand("post", packed.post),
      shelf: expand("shelf", packed.shelf), notes: expand("notes", packed.notes) };
    const event = pos > 0 ? data.events[pos - 1] : null;
    drawSender(frame);
    drawPost(frame);
    drawOffice(frame, event);
    drawBanner(frame, event);
    const c = frame.counts;
    parts.counts.textContent = `So far: ${c.produced} produced · ${c.acknowledged} acknowledged · ${c.stored} on the shelf`;
    const text = describe(pos);
    parts.step.replaceChildren(...(momentAt.has(pos) ? [shape("moment", "mr-moment-mark")] : []), el("span", { text }));
    parts.live.textContent = text;
    parts.scrub.value = String(pos);
    parts.scrub.setAttribute("aria-valuetext", `step ${pos} of ${last}`);
    parts.prev.disabled = pos <= 0;
    parts.first.disabled = pos <= 0;
    parts.next.disabled = pos >= last;
    parts.last.disabled = pos >= last;
    parts.play.textContent = st.playing ? "⏸ Pause" : "▶ Play";
    parts.play.setAttribute("aria-label", st.playing ? "Pause" : "Play");
    for (const chip of parts.moments.querySelectorAll("button")) {
      const here = Number(chip.dataset.pos) === pos;
      if (here) chip.setAttribute("aria-current", "step"); else chip.removeAttribute("aria-current");
    }
    root.dataset.pos = String(pos);
    root.dataset.playing = st.playing ? "1" : "0";
    if (animate && event) animateEvent(event);
  }

  function animateEvent(event) {
    if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) return;
    const ms = 650 / speed();
    const options = { duration: ms, easing: "ease-out" };
    const find = (lane, r) => lane.querySelector(`[data-r="${r}"]`);
    const width = parts.road.clientWidth || 300;
    if (event.a === "send" && !event.init) {
      const node = find(parts.lettersLane, event.r);
      node?.animate([{ transform: `translateX(${-width * 0.6}px)`, opacity: 0.2 }, { transform: "none", opacity: 1 }], options);
    } else if (event.a === "decide") {
      const node = find(parts.receiptsLane, event.r);
      node?.animate([{ transform: `translateX(${width * 0.6}px)`, opacity: 0.2 }, { transform: "none", opacity: 1 }], options);
      for (const hit of root.querySelectorAll(".mr-hit, .mr-new")) hit.animate([{ transform: "scale(1.08)" }, { transform: "none" }], { duration: ms * 1.5 });
    } else if (event.a === "lose_letter" || event.a === "lose_receipt") {
      const lane = event.a === "lose_letter" ? parts.lettersLane : parts.receiptsLane;
      find(lane, event.r)?.animate([{ opacity: 1, transform: "none" }, { opacity: 0.25, transform: "scale(0.8) rotate(-8deg)" }], { ...options, fill: "none" });
    } else if (event.a === "receipt" && !event.init) {
      const ghost = letterButton({ r: event.r, what: event.err ? "error " + event.err : "receipt", ids: "", retry: false, phase: "receipt" }, false);
      ghost.classList.add("mr-ghost");
      parts.receiptsLane.appendChild(ghost);
      const anim = ghost.animate([{ transform: "none", opacity: 1 }, { transform: `translateX(${-width * 0.6}px)`, opacity: 0 }], { ...options, fill: "forwards" });
      anim.onfinish = () => ghost.remove();
    } else if (event.a === "epoch" || event.a === "fatal" || event.a === "restart") {
      parts.banner.animate([{ transform: "scale(0.9)", opacity: 0.3 }, { transform: "none", opacity: 1 }], options);
    }
  }

  function go(pos, animate) {
    pos = Math.max(0, Math.min(last, pos));
    if (pos !== st.pos + 1) animate = false;
    st.pos = pos;
    closeMenu();
    draw(pos, animate);
  }

  function nextPos(from) {
    if (st.every) return Math.min(last, from + 1);
    const after = momentPositions.find((p) => p > from);
    return after === undefined ? last : after;
  }

  function prevPos(from) {
    if (st.every) return Math.max(0, from - 1);
    const before = momentPositions.filter((p) => p < from);
    return before.length ? before[before.length - 1] : 0;
  }

  function tick() {
    if (!st.playing) return;
    if (st.pos >= last) { st.stop(); draw(st.pos, false); return; }
    go(st.pos + 1, true);
    const wait = (momentAt.has(st.pos) ? 2.2 : 1) * BASE_STEP_MS / speed();
    st.timer = setTimeout(tick, wait);
  }

  function togglePlay() {
    if (st.playing) { st.stop(); draw(st.pos, false); return; }
    if (st.pos >= last) st.pos = 0;
    st.playing = true;
    draw(st.pos, false);
    st.timer = setTimeout(tick, 250);
  }

  function closeMenu() { parts.menu.hidden = true; parts.menu.replaceChildren(); }

  function openMenu(node) {
    const r = Number(node.dataset.r);
    const receipt = node.dataset.phase === "receipt";
    const wasPlaying = st.playing;
    st.stop();
    draw(st.pos, false);
    const choose = (action, label) => el("button", { type: "button", class: "mr-btn", onclick: () => {
      parts.menu.replaceChildren(el("p", { text: `Running again from the start with request #${r}: ${label}…` }));
      setTriggerValue("fault", { request_no: r, action, error: action === "error" ? "NOT_ENOUGH_REPLICAS" : null });
    } }, label);
    const lose = receipt ? choose("drop_response", "lose this receipt") : choose("drop_request", "lose this letter");
    parts.menu.replaceChildren(
      el("p", { text: `Break request #${r} (${receipt ? "its receipt is on the way back" : "the letter is on its way"}) and run again:` }),
      lose, choose("error", "answer with an error"),
      el("button", { type: "button", class: "mr-btn", onclick: () => { closeMenu(); if (wasPlaying) togglePlay(); } }, "cancel"));
    parts.menu.hidden = false;
    parts.menu.querySelector("button")?.focus();
  }

  // Moments as chips: every key moment one click away.
  parts.moments.replaceChildren(...(data.moments || []).map((m, i) => el("li", {},
    el("button", { type: "button", class: "mr-chip", "data-pos": m.event + 1, title: m.text,
      "aria-label": `Key moment ${i + 1}: ${m.text}`, onclick: () => { st.stop(); go(m.event + 1, false); } },
    shape("moment"), `${i + 1}. ${MOMENT_WORDS[m.kind] || m.kind}`))));

  // Handlers are (re)bound on every call so they see this call's data.
  parts.first.onclick = () => { st.stop(); go(0, false); };
  parts.prev.onclick = () => { st.stop(); go(prevPos(st.pos), false); };
  parts.next.onclick = () => { st.stop(); const to = nextPos(st.pos); go(to, to === st.pos + 1); };
  parts.last.onclick = () => { st.stop(); go(last, false); };
  parts.play.onclick = togglePlay;
  parts.scrub.oninput = () => { st.stop(); go(Number(parts.scrub.value), false); };
  parts.every.onchange = () => { st.every = parts.every.checked; };
  parts.road.onclick = (e) => {
    const node = e.target.closest("button.mr-env");
    if (node && data.interactive) openMenu(node);
  };
  root.onkeydown = (e) => {
    if (e.target.matches("input, select") || e.altKey || e.ctrlKey || e.metaKey) return;
    const keys = { ArrowRight: () => parts.next.onclick(), ArrowLeft: () => parts.prev.onclick(),
      Home: () => parts.first.onclick(), End: () => parts.last.onclick(), Escape: closeMenu };
    if (e.key === " " && !e.target.matches("button")) keys[" "] = togglePlay;
    if (keys[e.key]) { keys[e.key](); e.preventDefault(); e.stopPropagation(); }
  };

  draw(st.pos, false);
  if (data.autoplay && !st.started) { st.started = true; togglePlay(); }
  return () => { if (st.timer) clearTimeout(st.timer); st.timer = null; st.playing = false; };
}
