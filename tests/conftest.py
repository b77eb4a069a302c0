"""The suite runs in two pytest-xdist workers.  Every test under tests/kafka/ goes to one
worker as one unit: the room lets one scenario at a time own a broker cluster (broker
actions), so real runs on both workers would wait on each other.  That unit is the
largest, so it starts first; the other worker takes the browser, app and unit tests one
by one, and whichever is free takes what is left.

(xdist's own `--dist loadgroup` renames each grouped test's node id, which pytest 9 no
longer reads, so its groups are silently ignored: this scheduler groups by path instead.)
"""

from __future__ import annotations

from xdist.scheduler import LoadScopeScheduling

REAL_BROKER_TESTS = "tests/kafka/"


class RealBrokerTestsTogether(LoadScopeScheduling):
    def _split_scope(self, nodeid: str) -> str:
        return REAL_BROKER_TESTS if nodeid.startswith(REAL_BROKER_TESTS) else nodeid


def pytest_xdist_make_scheduler(config, log):
    return RealBrokerTestsTogether(config, log)
