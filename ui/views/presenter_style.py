"""The presenter's look on a projector: a slide fills the screen under the small controls
row, its type scaled to the viewport (at 1920x1080 a title of about 62 px and body text of
about 47 px; at 1280x800 about 42 and 32), and a picture (the mail room) as large as the
room left under the slide's words allows once the mail room's own controls are on screen
too (a presenter clicks them).  Pure: CSS, and one script that measures that room.

Sizes are the smaller of a share of the width and a share of the height, so a wide screen
and a tall one both keep every line on screen; a floor in rem keeps a small window
readable.  A slide is the container keyed `present-slide-<kind>` (Streamlit gives it the
class `st-key-present-slide-<kind>`); its picture is the container keyed `present-picture`.
"""

from __future__ import annotations

CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 3.75rem; padding-bottom: 2rem; }
[data-testid="stMainBlockContainer"] [data-testid="stMarkdown"] p { font-size: 1.05rem; }

[class*="st-key-present-slide-"] {
  --idl-display: max(2.4rem, min(4.4vw, 7.6vh));
  --idl-title: max(1.9rem, min(3.3vw, 5.8vh));
  --idl-heading: max(1.4rem, min(2.4vw, 4.2vh));
  --idl-body: max(1.2rem, min(2.5vw, 4.4vh));
  --idl-small: max(1.05rem, min(1.95vw, 3.45vh));
  --idl-caption: max(0.95rem, min(1.35vw, 2.4vh));
  min-height: calc(100dvh - 8.25rem);
  justify-content: flex-start;
  gap: 1.1rem;
}
/* The title at the top, the rest centred in the room below it; a title slide all centred. */
[class*="st-key-present-slide-"] > :first-child { margin-bottom: auto; }
[class*="st-key-present-slide-"] > :last-child { margin-bottom: auto; }
.st-key-present-slide-title { justify-content: center; }
.st-key-present-slide-title > * { margin-bottom: 0 !important; }
[class*="st-key-present-slide-"] h1,
[class*="st-key-present-slide-"] h2 {
  font-size: var(--idl-title) !important; line-height: 1.12 !important; padding: 0 !important;
}
.st-key-present-slide-title h1 { font-size: var(--idl-display) !important; }
[class*="st-key-present-slide-"] [data-testid="stMarkdown"] p,
[class*="st-key-present-slide-"] [data-testid="stMarkdown"] li {
  font-size: var(--idl-body); line-height: 1.3; overflow-wrap: break-word;
}
[class*="st-key-present-slide-"] [data-testid="stMarkdown"] ul { padding-left: 1.3em !important; margin-left: 0 !important; }
[class*="st-key-present-slide-"] [data-testid="stMarkdown"] li { margin: 0.45em 0; }
[class*="st-key-present-slide-"] [data-testid="stCaptionContainer"] p,
[class*="st-key-present-slide-"] [data-testid="stCaptionContainer"] { font-size: var(--idl-caption); }
[class*="st-key-present-slide-"] .idl-class-chart { font-size: var(--idl-small); }
[class*="st-key-present-slide-"] .idl-class-chart .row { grid-template-columns: minmax(12rem, 40%) 1fr 5.5em; }
[class*="st-key-present-slide-"] .idl-table { font-size: calc(var(--idl-small) * 0.8 * var(--idl-fit, 1)); }
[class*="st-key-present-slide-"] .idl-table td:not(:last-child) { white-space: nowrap; }
[class*="st-key-present-slide-"] .idl-table :is(th, td) { padding: 0.2em 0.45em; line-height: 1.25; }
[class*="st-key-present-slide-"] .idl-seq.idl-seq-large,
[class*="st-key-present-slide-"] .idl-seq.idl-seq-large li { font-size: calc(var(--idl-small) * 0.78 * var(--idl-fit, 1)); }

/* The after-the-run slide holds words, the stored log and the diagram: smaller body. */
.st-key-present-slide-after [data-testid="stMarkdown"] p,
.st-key-present-slide-after [data-testid="stMarkdown"] li { font-size: var(--idl-small); margin: 0.2em 0; }
.st-key-present-slide-after [data-testid="stColumn"] [data-testid="stMarkdown"] p,
.st-key-present-slide-after [data-testid="stColumn"] [data-testid="stMarkdown"] li {
  font-size: calc(var(--idl-small) * 0.8 * var(--idl-fit, 1));
}

/* A picture (the mail room) is as large as the screen left under the slide's words and the
   mail room's controls allows: FIT measures that room (--mr-picture-height, mailroom.css). */
[class*="st-key-present-slide-"]:has(.st-key-present-picture) > * { margin-bottom: 0; }
.st-key-present-slide-moment h2 { font-size: var(--idl-heading) !important; }
/* A reveal: a button a presenter hits from across the room; then, under a class chart, the answer
   large (without a class the options come back as a list, the answer marked, in body type). */
.st-key-present-show-answer button { min-height: 3em; padding: 0.5em 1.4em; }
.st-key-present-show-answer button :is(p, span) { font-size: var(--idl-small) !important; }
.st-key-present-answer > :first-child [data-testid="stMarkdown"] p { font-size: var(--idl-title); }
.st-key-present-picture { align-items: center; }
.st-key-present-picture > * { width: 100%; }
</style>"""

# The room under the slide's words, down to the bottom of the screen: less the mail room's
# own parts (its sentence line, controls, key moments, keys), the height its picture may take
# (--mr-picture-height; its width follows, the controls keep the slide's width); and as
# --idl-fit on a block of tables and diagrams whose type shrinks (to half at most) until the
# block fits, as slide software fits text to a box.
# Measured again whenever the page's content changes size (a part mounts, a rerun) or the
# window does; a second measure of the same layout gives the same sizes, so it does not loop.
FIT = """<script>
(() => {
  const main = () => document.querySelector("[data-testid='stMainBlockContainer']");
  const page = main();
  if (!page) return;
  // From the element's top (as if the page were not scrolled) to the bottom of the screen.
  const room = (element) =>
    window.innerHeight - (element.getBoundingClientRect().top - main().getBoundingClientRect().top) - 12;
  const fit = () => {
    const picture = document.querySelector(".st-key-present-picture");
    const host = picture && picture.querySelector("[data-testid^='stBidiComponent']");
    const mailroom = host && host.shadowRoot && host.shadowRoot.querySelector(".mr");
    const drawing = mailroom && mailroom.querySelector(".mr-svg");
    if (drawing) {
      const controls = mailroom.getBoundingClientRect().height - drawing.getBoundingClientRect().height;
      picture.style.setProperty("--mr-picture-height", `${Math.max(room(host) - controls, 160)}px`);
    }
    const block = document.querySelector(".st-key-present-fit");
    if (!block) return;
    let factor = 1;
    block.style.setProperty("--idl-fit", "1");
    for (let i = 0; i < 5 && block.scrollHeight > room(block) && factor > 0.5; i++) {
      factor = Math.max(0.5, factor * Math.sqrt(room(block) / block.scrollHeight));
      block.style.setProperty("--idl-fit", factor.toFixed(3));
    }
  };
  fit();
  if (!window.__idlFit) {
    window.__idlFit = new ResizeObserver(fit);  // the page's content grows as its parts mount
    window.addEventListener("resize", fit);
  }
  if (window.__idlFitWatched !== page) {
    window.__idlFit.observe(page);
    window.__idlFitWatched = page;
  }
})();
</script>"""
