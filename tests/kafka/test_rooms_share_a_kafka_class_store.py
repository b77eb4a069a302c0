"""How a room grows past one machine, with its classes: two `serve` hosts behind a third
HAProxy, both keeping classes in the Kafka class store of one real broker.  A class
opened on the instructor page of one host is joined and answered on the other host's
Join page, and the answers are read back on the first host's instructor page; every
page is driven over Streamlit's websocket protocol, as a browser tab speaks it."""

from __future__ import annotations

import asyncio
import io
import os
import secrets
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field

import pytest

from idemlab import lessons as lessons_module
from idemlab import serve
from tests.e2e.conftest import _free_port
from tests.e2e.test_serve import ROOT, _host_and_cookies, _in_own_thread, _until, front_balancer_config
from tests.needs import skip_or_fail

pytestmark = pytest.mark.kafka

LEARNERS = 3
RERUN_TIMEOUT_S = 120
READ_BACK_DEADLINE_S = 120


@dataclass
class PageRun:
    """What one script run sent back: texts of markdown and alerts, buttons, text inputs
    and select boxes by label, dataframes, the URL's query string, and any exception."""

    texts: list[str] = field(default_factory=list)
    widgets: dict[str, str] = field(default_factory=dict)  # label -> widget id
    frames: list = field(default_factory=list)  # pyarrow tables
    query: str = ""
    exceptions: list[str] = field(default_factory=list)


class Tab:
    """One browser tab's websocket session on the room, pinned to one host by its cookie."""

    def __init__(self, base: str, cookies: str) -> None:
        self.base, self.cookies, self.ws, self.host = base, cookies, None, None

    async def __aenter__(self) -> Tab:
        import websockets

        self.ws = await websockets.connect(
            self.base.replace("http", "ws") + "/_stcore/stream",
            subprotocols=["streamlit"],
            additional_headers={"Cookie": self.cookies},
            ping_interval=None,
            max_size=None,
            open_timeout=RERUN_TIMEOUT_S,
        )
        self.host = self.ws.response.headers.get("X-Idemlab-Host")
        return self

    async def __aexit__(self, *_exc) -> None:
        await self.ws.close()

    async def run(self, page: str, query: str, widgets: list | None = None) -> PageRun:
        """Run `page` with `query`; widgets are (id, field, value) states to send."""
        import pyarrow
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        done = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)  # not: rerun follows
        message = BackMsg()
        message.rerun_script.page_name, message.rerun_script.query_string = page, query
        for widget_id, name, value in widgets or []:
            state = message.rerun_script.widget_states.widgets.add()
            state.id = widget_id
            setattr(state, name, value)
        await self.ws.send(message.SerializeToString())
        out = PageRun(query=query)
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await asyncio.wait_for(self.ws.recv(), RERUN_TIMEOUT_S))
            kind = forward.WhichOneof("type")
            if kind == "page_info_changed":
                out.query = forward.page_info_changed.query_string
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                which = element.WhichOneof("type")
                if which in ("markdown", "alert"):
                    out.texts.append(getattr(element, which).body)
                elif which in ("button", "text_input", "selectbox"):
                    out.widgets[getattr(element, which).label] = getattr(element, which).id
                elif which == "dataframe":
                    out.frames.append(pyarrow.ipc.open_stream(io.BytesIO(element.dataframe.arrow_data.data)).read_all())
                elif which == "exception":
                    out.exceptions.append(element.exception.message)
            elif kind == "script_finished" and forward.script_finished in done:
                return out


async def _open_class(tab: Tab) -> tuple[str, str]:
    """Instructor kit → Open a class: (code, key) from the control link it puts in the URL."""
    form = await tab.run("instructor", "")
    assert "Open a class" in form.widgets, (form.texts, form.widgets, form.exceptions)
    # A browser sends every widget's state with a click: the length chosen, then the button.
    states = [(form.widgets["The class lasts"], "string_value", "4 hours")]
    opened = await tab.run("instructor", "", [*states, (form.widgets["Open a class"], "trigger_value", True)])
    assert not opened.exceptions, opened.exceptions
    query = urllib.parse.parse_qs(opened.query)
    return query["class"][0], query["key"][0]


async def _join_and_answer(tab: Tab, code: str, choice: int) -> PageRun:
    """Join a class by its link, carrying a prediction for lesson 1 and lesson 1 done."""
    query = f"code={code}&ans=1.p.{choice}&done=1"
    form = await tab.run("class", query)
    return await tab.run(
        "class",
        query,
        [(form.widgets["Class code"], "string_value", code), (form.widgets["Join the class"], "trigger_value", True)],
    )


async def _class_across_hosts(base: str, cookies: dict[str, str]) -> dict:
    async with Tab(base, cookies["h1"]) as instructor:
        code, key = await _open_class(instructor)
    for choice in range(LEARNERS):
        async with Tab(base, cookies["h2"]) as learner:
            joined = await _join_and_answer(learner, code, choice)
        assert learner.host == "h2" and not joined.exceptions, joined.exceptions
        assert any(f"You are in class **{code}**" in text for text in joined.texts), [t[:200] for t in joined.texts]
    deadline = time.monotonic() + READ_BACK_DEADLINE_S
    async with Tab(base, cookies["h1"]) as reader:
        while True:  # the other host's answers are acknowledged: they show at once, or fail
            overview = await reader.run("instructor", f"class={code}&key={key}")
            if f"**{LEARNERS} learners** have sent answers" in " ".join(overview.texts):
                break
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the answers did not come back through h1: {[t for t in overview.texts if 'learner' in t]}"
                )
            await asyncio.sleep(1)
    return {"hosts": (instructor.host, reader.host), "overview": overview}


def _start_serve(port: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "idemlab", "serve", "--workers", "1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_class_opened_on_one_host_is_joined_on_the_other_and_read_back_on_the_first(kafka_cluster, tmp_path):
    try:
        haproxy = serve.find_haproxy()
    except serve.ServeError as exc:
        skip_or_fail(str(exc))
    env = {
        **os.environ,
        "IDEMLAB_CLASS_STORE": "kafka",
        "IDEMLAB_CLASS_KAFKA": kafka_cluster.bootstrap,
        "IDEMLAB_CLASS_TOPIC": f"idemlab-classes-rooms-{secrets.token_hex(4)}",
    }
    ports, front = [_free_port(), _free_port()], _free_port()
    config = tmp_path / "front.cfg"
    config.write_text(front_balancer_config(front, ports))
    rooms, balancer = [], None
    base = f"http://127.0.0.1:{front}"
    try:
        rooms = [_start_serve(port, env) for port in ports]
        for port in ports:
            _until(lambda port=port: _host_and_cookies(f"http://127.0.0.1:{port}/_stcore/health"), 180, f"serve {port}")
        balancer = subprocess.Popen([haproxy, "-db", "-f", str(config)], stdout=subprocess.DEVNULL)
        _until(lambda: _host_and_cookies(base + "/_stcore/health"), 30, "the front balancer answers")
        cookies = dict(_host_and_cookies(base + "/") for _ in range(2))  # round robin: h1, then h2
        assert set(cookies) == {"h1", "h2"}

        seen = _in_own_thread(_class_across_hosts(base, cookies), timeout=900)

        assert seen["hosts"] == ("h1", "h1")  # opened and read back on h1; joined and answered on h2 (above)
        assert not seen["overview"].exceptions, seen["overview"].exceptions
        lessons = next(frame for frame in seen["overview"].frames if "predictions" in frame.column_names)
        first = lessons.to_pylist()[0]
        assert (first["predictions"], first["finished"]) == (LEARNERS, LEARNERS)
        right = sum(1 for choice in range(LEARNERS) if choice == lessons_module.load_all()[0].prediction.answer)
        assert first["right predictions"] == right  # each learner's own choice came through
        producers = next(frame for frame in seen["overview"].frames if "producer_id" in frame.column_names)
        # One idempotent producer per host wrote the class: h1 opened it, h2 took the answers.
        assert len(set(producers.column("producer_id").to_pylist())) == 2
    finally:
        for process in [balancer, *rooms]:
            if process is not None:
                process.terminate()
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
