"""Server-side time of one rerun of each page on the simulated back end (AppTest),
p50/p95 over N runs.  Run: python benchmarks/app_rerun.py [N]"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = {
    "home": ("pages/home.py", {}),
    "lesson": ("pages/lesson.py", {}),
    "playground (lost-ack link, set-up folded)": ("pages/playground.py", {"scenario": "lost-ack", "idem": "0"}),
    "playground (bare URL, set-up open)": ("pages/playground.py", {}),
    "compare": ("pages/compare.py", {}),
    "wire": ("pages/wire.py", {}),
    "reference": ("pages/reference.py", {}),
    "presenter": ("pages/presenter.py", {}),
}


def steady_state_navigation() -> None:
    """AppTest resets Streamlit's legacy pages/ flag before every run, which makes the
    app's one-time switch to st.navigation (ui/widgets/navigation_mode.py) rerun every time.
    A real server does that once per process, so measure the steady state."""
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(page: str, params: dict, runs: int) -> list[float]:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()  # warm: imports and the simulation cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
        if at.exception:
            raise SystemExit(f"{page}: {at.exception[0].value}")
    return times


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    steady_state_navigation()
    print(f"rerun time per page, simulated back end, {runs} runs each (ms; AppTest, includes its ~5 ms polling)")
    print(f"{'page':24} {'p50':>8} {'p95':>8} {'max':>8}")
    for name, (page, params) in PAGES.items():
        times = measure(page, params, runs)
        print(f"{name:24} {statistics.median(times):8.1f} {percentile(times, 0.95):8.1f} {max(times):8.1f}")


if __name__ == "__main__":
    main()
