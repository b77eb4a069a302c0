"""The layers hold: each rule has one home, and imports only point the allowed way.

- the engine (idemlab/) never imports streamlit or ui;
- Kafka's and librdkafka's rules live in idemlab/sim/: only the simulator's own entry
  (idemlab.backends) imports it, so no view or fold can re-apply them;
- the real-broker package is reached only through idemlab.backends (the one door; the
  command line also adds its `broker` subcommands);
- the simulator does not import the real-broker package;
- ui/views/ is pure: no streamlit;
- pages/ talk to ui.widgets and the engine, never to idemlab.kafka.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def offending(files, forbidden, allowed=()):
    found = []
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        if any(rel.startswith(a) for a in allowed):
            continue
        bad = sorted(n for n in imports_of(path) if any(n == f or n.startswith(f + ".") for f in forbidden))
        if bad:
            found.append((rel, bad))
    return found


@pytest.mark.parametrize(
    ("folders", "forbidden", "allowed"),
    [
        (("idemlab",), ("streamlit", "ui"), ()),
        (("idemlab", "ui", "pages"), ("idemlab.sim",), ("idemlab/sim/", "idemlab/backends.py")),
        (
            ("idemlab", "ui", "pages"),
            ("idemlab.kafka",),
            # the class store on Kafka asks the broker what it remembers of its producers
            ("idemlab/kafka/", "idemlab/backends.py", "idemlab/__main__.py", "idemlab/classroom/kafka_store.py"),
        ),
        (("idemlab/sim",), ("idemlab.kafka",), ()),
        (("ui/views",), ("streamlit",), ()),
        (("pages",), ("idemlab.kafka", "ui.views.deeplink"), ()),
    ],
    ids=["engine-no-ui", "sim-rules-stay-in-sim", "one-door-to-kafka", "sim-without-kafka", "views-pure", "pages-thin"],
)
def test_imports_point_the_allowed_way(folders, forbidden, allowed):
    assert offending(python_files(*folders), forbidden, allowed) == []


def test_app_py_is_the_only_entry_point_that_switches_navigation_mode():
    callers = [
        p.relative_to(ROOT).as_posix()
        for p in [*python_files("pages", "ui", "idemlab"), ROOT / "app.py"]
        if "navigation_mode.ensure()" in p.read_text()
    ]
    assert sorted(callers) == ["app.py", "ui/widgets/__init__.py"]


# ---- one fold of the trace ----------------------------------------------------------------
FOLD = "idemlab/timeline.py"
BACK_ENDS = ("idemlab/sim/", "idemlab/kafka/")  # they make the events (and the real one reads its own)
KEYS_OF_THE_FOLD = {"request_no", "msg"}


def _event_key(node: ast.AST) -> str | None:
    """'request_no' for `e.get("request_no")` or `d["request_no"]` (likewise "msg")."""
    called = getattr(node, "func", None)
    name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", None)
    if isinstance(node, ast.Call) and name == "get" and node.args:  # e.get("msg"), or get = e.get
        key = node.args[0]
    elif isinstance(node, ast.Subscript):
        key = node.slice
    else:
        return None
    return key.value if isinstance(key, ast.Constant) and key.value in KEYS_OF_THE_FOLD else None


def second_folds(path: Path) -> list[str]:
    """Places that keep something per request or per message across events (a dict or set
    keyed by an event's request_no or msg), or that define a step or fold of their own."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.FunctionDef) and node.name in ("step", "fold"):
            found.append(f"{node.lineno}: def {node.name}")
        targets = node.targets if isinstance(node, ast.Assign) else []
        for target in targets:
            if isinstance(target, ast.Subscript) and _event_key(target.slice):
                found.append(f"{node.lineno}: keyed by {_event_key(target.slice)}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("setdefault", "add")
            and node.args
            and _event_key(node.args[0])
        ):
            found.append(f"{node.lineno}: .{node.func.attr} by {_event_key(node.args[0])}")
    return found


def test_the_trace_is_folded_in_one_place_only():
    """idemlab.timeline.step is the one fold: views read its states and never rebuild the
    stored log, the deliveries, the producer state or the pairing of a send with its fault
    and decision by keeping their own per-request or per-message tables."""
    files = [
        p
        for p in python_files("idemlab", "ui", "pages")
        if p.relative_to(ROOT).as_posix() != FOLD and not p.relative_to(ROOT).as_posix().startswith(BACK_ENDS)
    ]
    found = {p.relative_to(ROOT).as_posix(): second_folds(p) for p in files}
    assert {path: places for path, places in found.items() if places} == {}


def test_the_fold_check_finds_a_fold(tmp_path):
    sample = tmp_path / "view.py"
    sample.write_text(
        "def story(events):\n"
        "    decisions, reports, decided = {}, {}, set()\n"
        "    for e in events:\n"
        "        decisions[e.get('request_no')] = e\n"
        "        reports.setdefault(e.detail['msg'], e)\n"
        "        decided.add(e.get('request_no'))\n"
    )
    assert len(second_folds(sample)) == 3
