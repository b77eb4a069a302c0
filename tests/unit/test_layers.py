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
