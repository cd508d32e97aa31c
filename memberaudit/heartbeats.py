"""Heartbeats of running section updates: how a dead run is told from one still running.

celery_once keeps a section from being queued twice, and its lock lives until the task
returns. A worker killed in the middle of an update never returns, so its lock would block the
section until the lock times out, with the section shown "in progress" all that time. While an
update runs it therefore keeps a short-lived key alive in the cache; a section "in progress"
without that key was interrupted, and the next periodic run records it so and queues it again.
"""

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.core.cache import cache

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 60  # a run not heard of for this long is dead
BEAT_EVERY_SECONDS = 15


def _key(character_pk: int, section: str) -> str:
    return f"memberaudit_section_running:{character_pk}:{section}"


@contextmanager
def heartbeat(character_pk: int, section: str) -> Iterator[None]:
    """Keep the run of ``section`` known as alive while the block runs."""
    key = _key(character_pk, section)
    cache.set(key, True, timeout=HEARTBEAT_SECONDS)
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(BEAT_EVERY_SECONDS):
            try:
                cache.set(key, True, timeout=HEARTBEAT_SECONDS)
            except Exception:  # the cache is down: the run goes on, it may look dead
                logger.warning("Could not renew the heartbeat of %s", key, exc_info=True)

    thread = threading.Thread(target=beat, name=f"heartbeat-{section}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
        try:
            cache.delete(key)
        except Exception:  # it expires by itself
            logger.warning("Could not remove the heartbeat of %s", key, exc_info=True)


def running_sections(character_pk: int, sections: Iterable[str]) -> set[str]:
    """The sections of a character whose update is alive now (one cache round trip)."""
    keys = {_key(character_pk, section): section for section in sections}
    if not keys:
        return set()
    return {keys[key] for key in cache.get_many(list(keys))}
