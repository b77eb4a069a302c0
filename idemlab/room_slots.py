"""Limits shared by every process of one room on this host (the workers `serve` starts):
a slot is an exclusive flock on one of N files in one folder.  The kernel releases the
lock of a process that dies, so a crashed worker never keeps a slot.  Pure: no streamlit."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

POLL_S = 0.1


def folder() -> Path:
    """IDEMLAB_ROOM_DIR, or one folder per user in the temp folder."""
    path = Path(os.environ.get("IDEMLAB_ROOM_DIR") or Path(tempfile.gettempdir()) / f"idemlab-room-{os.getuid()}")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


class Slots:
    """At most limit() holders at once across processes; take() and give_back() pair up
    per process (slots are interchangeable, so any held one is given back)."""

    def __init__(self, name: str, limit: Callable[[], int]) -> None:
        self.name, self.limit = name, limit
        self._held: list[int] = []  # open file descriptors, each holding one lock
        self._lock = threading.Lock()

    def _path(self, index: int) -> Path:
        return folder() / f"{self.name}.{index}.slot"

    def try_take(self) -> bool:
        for index in range(self.limit()):
            fd = os.open(self._path(index), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            with self._lock:
                self._held.append(fd)
            return True
        return False

    def take(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not self.try_take():
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_S)
        return True

    def give_back(self) -> None:
        with self._lock:
            fd = self._held.pop() if self._held else None
        if fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def in_use(self) -> int:
        """Slots held now by any process of the room."""
        busy = 0
        for index in range(self.limit()):
            fd = os.open(self._path(index), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fd, fcntl.LOCK_UN)
            except BlockingIOError:
                busy += 1
            finally:
                os.close(fd)
        return busy
