"""How a room joins a class, on the presenter's title slide: the code and the join link in
type read from the back of a room (at least 48 px on a 1920x1080 projector), and a QR code
of the link (segno: pure Python, SVG, drawn here, no network).  Pure: code + URL -> HTML."""

from __future__ import annotations

from html import escape

import segno

MENU_ENTRY = "Join a class"  # the page's title in the app's menu (app.py)
CODE_PX = 120
LINK_PX = 52
QR_MODULE_PX = 9  # a version-3 code (37 modules with the quiet zone) is 333 px wide

_CSS = f"""<style>
.idl-join{{display:flex;gap:3rem;align-items:center;flex-wrap:wrap;margin:1rem 0}}
.idl-join .words{{flex:1 1 40rem;min-width:0}}
.idl-join .lead{{font-size:{LINK_PX}px;line-height:1.2;margin:0}}
.idl-join .code{{font-size:{CODE_PX}px;font-weight:800;letter-spacing:.12em;line-height:1.1;margin:.2em 0}}
.idl-join .link{{font-size:{LINK_PX}px;font-family:ui-monospace,monospace;overflow-wrap:anywhere;
  line-height:1.2;margin:.2em 0}}
.idl-join .menu{{font-size:{LINK_PX}px;line-height:1.2;margin:.3em 0 0}}
.idl-join .qr img{{display:block;background:#fff;border-radius:.4rem}}
</style>"""


def qr_data_uri(url: str) -> str:
    """The link as a QR code (error correction M: survives a smudged projector), black on
    white, as an SVG data URI: an <img> (Streamlit's HTML sanitiser drops inline SVG)."""
    code = segno.make(url, error="m", micro=False)
    return code.svg_data_uri(scale=QR_MODULE_PX, dark="#000", light="#fff", title="QR code of the join link")


def html(code: str, url: str) -> str:
    return (
        _CSS
        + '<section class="idl-join" aria-label="How to join the class">'
        + '<div class="words"><p class="lead">Join the class:</p>'
        + f'<p class="code" data-testid="join-code">{escape(code)}</p>'
        + f'<p class="link" data-testid="join-link">{escape(url)}</p>'
        + f'<p class="menu">or <b>{MENU_ENTRY}</b> in the menu, then the code</p></div>'
        + f'<div class="qr" data-testid="join-qr"><img src="{escape(qr_data_uri(url))}" alt="QR code of the join link"></div></section>'
    )
