"""What the simulator hands back: a trace that holds its events alone."""

import gc

from idemlab import scenarios, sim
from idemlab.gc_pause import cyclic_gc_paused


def test_no_simulation_object_holds_the_traces_events():
    """The simulation's objects refer to one another, so only the cyclic collector frees
    them; were the trace's event list among what they hold, a large run's events would
    wait for a scan of them all."""
    with cyclic_gc_paused():  # the simulation's objects stay around, as they would until a collection
        trace = sim.run(scenarios.load("lost-ack"))
        holders = [r for r in gc.get_referrers(trace.events) if r is not trace and r is not vars(trace)]
    assert holders == []
