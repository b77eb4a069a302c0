"""Every test that needs a real broker runs on one pytest-xdist worker (`--dist loadgroup`):
the room lets one scenario at a time own a cluster (broker actions), so two workers' real
runs would wait on each other; the browser, app and unit tests share the other worker."""

from __future__ import annotations

import pytest

REAL_BROKER_GROUP = "real-broker"


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("kafka") and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(REAL_BROKER_GROUP))
