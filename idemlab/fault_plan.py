"""Which fault, if any, applies to the next request of a kind.

Pure and deterministic: the real-broker proxy and the simulator share it, so a fault
plan means the same thing on both back ends.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from idemlab.model import Fault


class FaultPlan:
    """Counts requests per kind (1-based, every request on the wire, retries included)
    and picks the first fault that matches.

    A fault matches when its `nth` (if set) equals the ordinal and its `probability`
    (if set) wins a draw from the fault's own `random.Random(seed)`.  A probabilistic
    fault draws once for every request of its kind, even when an earlier fault already
    won, so its stream does not depend on the other faults.  A fault with neither `nth`
    nor `probability` never matches.
    """

    def __init__(self, faults: Sequence[Fault]):
        self._faults = tuple(faults)
        self._counts: dict[str, int] = {}
        self._streams = {
            index: random.Random(0 if fault.seed is None else fault.seed)
            for index, fault in enumerate(self._faults)
            if fault.probability is not None
        }

    @property
    def faults(self) -> tuple[Fault, ...]:
        return self._faults

    def count(self, request_kind: str) -> int:
        """How many requests of this kind were decided so far."""
        return self._counts.get(request_kind, 0)

    def decide(self, request_kind: str) -> tuple[int, Fault | None]:
        request_no = self._counts.get(request_kind, 0) + 1
        self._counts[request_kind] = request_no
        chosen: Fault | None = None
        for index, fault in enumerate(self._faults):
            if fault.request != request_kind:
                continue
            if self._matches(index, fault, request_no) and chosen is None:
                chosen = fault
        return request_no, chosen

    def _matches(self, index: int, fault: Fault, request_no: int) -> bool:
        drawn = True
        if fault.probability is not None:
            drawn = self._streams[index].random() < fault.probability
        if fault.nth is None and fault.probability is None:
            return False
        return drawn and (fault.nth is None or fault.nth == request_no)
