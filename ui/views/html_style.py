"""CSS shared by the views drawn as HTML (mail room, short tables)."""

SCREEN_READER_ONLY = (
    ".idl-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}"
)
