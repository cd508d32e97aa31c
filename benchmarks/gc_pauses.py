"""Full garbage collections of this process, counted while requests are timed.

A full (generation 2) collection walks every object the process holds: about 190,000 in an
Auth worker with Member Audit loaded, some 50 ms on a 2-core machine. It runs whenever enough
objects have outlived two younger collections, so it lands in whichever request happens to be
running. ``freeze_startup_objects`` moves what the process holds after start-up out of the
collector's reach, as the ``gc.freeze()`` in the site's ``wsgi.py`` does (see
``docs/performance.md``, "Garbage collection").
"""

import gc
import time
import weakref


def freeze_startup_objects() -> int:
    """Collect once, then freeze every object left: what a worker holds once it has loaded
    the site. Returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class FullCollections:
    """Counts full collections and their duration in ms, overall and since ``mark()``."""

    def __init__(self):
        self.durations_ms: list[float] = []
        self._started = 0.0
        self._mark = 0

    def __enter__(self):
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc):
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.durations_ms.append((time.perf_counter() - self._started) * 1000)

    def mark(self) -> None:
        self._mark = len(self.durations_ms)

    def since_mark(self) -> list[float]:
        return self.durations_ms[self._mark :]


def drop_repeated_signal_finalizers() -> int:
    """Detach the finalizers Django's test tools leave on every request; returns how many.

    ``Signal.connect`` registers a ``weakref.finalize`` on its receiver's object each time it is
    called, even when the receiver is connected already. The test client reconnects
    ``close_old_connections`` and its own exception receiver on every request, and
    ``CaptureQueriesContext`` reconnects ``reset_queries``: receivers that live as long as the
    process, so their finalizers pile up (about 12 objects a request, some 50,000 by the end of
    a run) and every full collection walks them. A worker serving real requests connects
    nothing per request; one finalizer per signal and receiver is all it holds."""
    from django.dispatch import Signal

    seen, dropped = set(), 0
    for finalizer, info in registered_finalizers().items():
        remove = info.func
        if getattr(remove, "__func__", None) is not Signal._remove_receiver:
            continue
        target = info.weakref()
        if target is None:  # gone: its finalizer is about to run
            continue
        key = (id(remove.__self__), id(target))
        if key in seen:
            finalizer.detach()
            dropped += 1
        else:
            seen.add(key)
    return dropped


def registered_finalizers() -> dict:
    """The process's live ``weakref.finalize`` objects with what each will call, copied with
    the collector off: a collection during the copy would run finalizers, which leave the
    registry."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return weakref.finalize._registry.copy()
    finally:
        if enabled:
            gc.enable()
