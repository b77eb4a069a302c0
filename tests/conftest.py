"""The suite runs in two pytest-xdist workers.  The real-broker tests that take the
room's one dedicated-cluster slot (scenarios that stop, kill or configure brokers) go to
one worker as one unit: on both workers they would wait on each other for that slot.
Each other file under tests/kafka/ is a unit of its own (its module's fixtures stay
together), and so is the browser's walk over every page (test_every_page.py: one walk per
theme, read by three checks); every other test is a unit by itself.  The largest units start first, and
whichever worker is free takes what is left.

(xdist's own `--dist loadgroup` renames each grouped test's node id, which pytest 9 no
longer reads, so its groups are silently ignored: this scheduler groups by path instead.)
"""

from __future__ import annotations

from xdist.scheduler import LoadScopeScheduling

REAL_BROKER_TESTS = "tests/kafka/"
WHOLE_FILE_UNITS = (REAL_BROKER_TESTS, "tests/e2e/test_every_page.py::")
DEDICATED_CLUSTER_TESTS = tuple(
    f"{REAL_BROKER_TESTS}{name}.py::"
    for name in (
        "test_conformance",
        "test_java_conformance",
        "test_lessons_on_kafka",
        "test_producer_state",
        "test_runner_failures",
    )
)


class DedicatedClusterTestsTogether(LoadScopeScheduling):
    def _split_scope(self, nodeid: str) -> str:
        if nodeid.startswith(DEDICATED_CLUSTER_TESTS):
            return "tests/kafka/ (dedicated clusters)"
        if nodeid.startswith(WHOLE_FILE_UNITS):
            return nodeid.split("::", 1)[0]
        return nodeid


def pytest_xdist_make_scheduler(config, log):
    return DedicatedClusterTestsTogether(config, log)
