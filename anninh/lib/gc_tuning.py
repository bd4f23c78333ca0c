"""The garbage collector of a serving process (issue #15).

A Django process holds a few hundred thousand long-lived objects after start-up (modules,
URL patterns, templates, the offence and commune tables). Python's cyclic collector walks all of
them in every full (generation 2) collection: 170–256 ms in this project, about once in ten list
requests, which is what the slowest requests were made of. Two changes remove that:

- `gc.freeze()` once start-up is done moves every object alive then to a permanent generation
  that no collection walks (and, in forked workers, that no collection writes to, so the pages
  stay shared with the master);
- a higher first threshold (the number of allocations between young collections): a request
  allocates tens of thousands of objects, most freed by reference counting; collecting every
  700 allocations mostly walks objects about to die anyway.

Cycles are still collected (the collector stays on); only its rhythm changes. Pure: no Django.
"""

from __future__ import annotations

import gc

#: (generation 0, 1, 2) thresholds; Python's defaults are (700, 10, 10).
THRESHOLDS = (50_000, 20, 20)


def settle(thresholds: tuple[int, int, int] = THRESHOLDS) -> None:
    """Call once the process has loaded what it serves with: collect what start-up left,
    freeze the survivors, and set the thresholds."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)
