"""Garbage collection tuned for a server that builds many short-lived dicts per request.

CPython runs a collection every 700 net container allocations, and each full one walks every
object alive, imported modules and caches included. A page of 50 engagements allocates
thousands of dicts and lists, so with the defaults a third of the time of reading a large
export went to the collector. Freezing what exists at start-up takes it out of every later
collection, and a larger first threshold makes the young collections rarer; memory still
comes back, reference counting frees nearly everything, and cycles are still collected."""

import gc

YOUNG_THRESHOLD = 20_000
OLDER_THRESHOLDS = (50, 50)


def tune() -> None:
    """Freeze the objects alive now and raise the thresholds; the first call in a process
    does it (an app started again in the same process, as tests do, changes nothing)."""
    if gc.get_threshold()[0] >= YOUNG_THRESHOLD:
        return
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
