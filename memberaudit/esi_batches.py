"""Independent ESI requests sent a few at a time, on threads that keep their connections.

The gateway (:mod:`memberaudit.esi_gateway`) sends through :func:`run_batch` the calls of a
section that do not depend on each other: killmail details, mail bodies, contract items, EVE
types, places, and the pages of a paged list after the first one. Whatever the calls are,
a batch:

- keeps at most :data:`~memberaudit.esi_limits.MAX_REQUESTS_IN_FLIGHT` requests in flight;
- returns the answers in the order of the calls;
- ends at the first answer its ``stop`` rule picks (by default any failure), dropping what
  was still on its way, so that everything returned before can be stored;
- sends no more calls than the rate-limit budget allows: the first call over it is
  answered by ``over_budget`` without a request.
"""

import os
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass
from typing import Any

from .esi_limits import MAX_REQUESTS_IN_FLIGHT
from .esi_limits import _header as header

# Threads shared by the batches of all tasks a worker process runs at once (threads or gevent
# run many); each batch keeps at most MAX_REQUESTS_IN_FLIGHT of them busy.
REQUEST_THREADS = 32
_pool_lock = threading.Lock()
_pool: tuple[int, ThreadPoolExecutor] | None = None


@dataclass
class Answer:
    """One call of a batch: its parameters, and its data or why it failed (an
    :class:`~memberaudit.esi_errors.EsiError` or :class:`~memberaudit.esi_errors.NotModified`)."""

    params: dict
    data: Any = None
    error: Exception | None = None


def any_failure(answer: Answer) -> bool:
    return answer.error is not None


def request_pool() -> ThreadPoolExecutor:
    """The threads that send the requests of batches; kept for the life of the process, so
    their HTTP connections are reused from one batch (and section) to the next."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():  # a forked worker needs threads of its own
            _pool = (
                os.getpid(),
                ThreadPoolExecutor(REQUEST_THREADS, thread_name_prefix="memberaudit-esi"),
            )
        return _pool[1]


def _in_request_thread() -> bool:
    return threading.current_thread().name.startswith("memberaudit-esi")


def run_batch(
    calls: Sequence[dict],
    send: Callable[[dict], Answer],
    *,
    allowed: int,
    over_budget: Callable[[dict], Answer],
    stop: Callable[[Answer], bool] = any_failure,
) -> list[Answer]:
    """Answer ``calls`` with ``send``, in order, a few at a time; see the module's docstring.

    ``allowed`` is how many calls the rate-limit budget still allows.
    """
    if _in_request_thread():
        # A call of a batch that starts a batch of its own (a paged list among the calls)
        # sends it from its thread: waiting on the shared threads could wait forever.
        return _run_in_turn(calls, send, allowed, over_budget, stop)
    answers: list[Answer] = []
    pending: deque = deque()
    position = 0
    try:
        while position < len(calls) or pending:
            while position < min(len(calls), allowed) and len(pending) < MAX_REQUESTS_IN_FLIGHT:
                pending.append(request_pool().submit(send, calls[position]))
                position += 1
            if not pending:
                answers.append(over_budget(calls[position]))
                break
            answer = pending.popleft().result()
            answers.append(answer)
            if answer.error is not None and stop(answer):
                break
    finally:
        for future in pending:
            future.cancel()
        wait_for(pending)  # nothing of this batch runs on once the caller goes on
    return answers


def _run_in_turn(calls, send, allowed, over_budget, stop) -> list[Answer]:
    answers: list[Answer] = []
    for position, params in enumerate(calls):
        if position >= allowed:
            answers.append(over_budget(params))
            break
        answer = send(params)
        answers.append(answer)
        if answer.error is not None and stop(answer):
            break
    return answers


UNCHANGED = object()  # what ``send_page`` gives as the data of a page that answered 304


class AllPagesUnchanged(Exception):  # noqa: N818
    """Every page of a list answered 304."""


def fetch_all_pages(
    params: dict,
    send_page: Callable[[dict, bool], Answer],
    batch: Callable[[list[dict], Callable[[dict], Answer]], list[Answer]],
) -> list:
    """All rows of a paged list, in page order, or the first error raised: a list never comes
    back in part, so no caller can take a part for the whole and delete the rest.

    ``send_page(params, use_etag)`` answers one page with its data (or :data:`UNCHANGED`) and
    the headers of ESI's answer; ``batch`` runs calls as :func:`run_batch` does. Page 1 says
    how many pages there are (``X-Pages``); the others go out together (and any that a
    growing list adds after them). Raises :class:`AllPagesUnchanged` when every page answered
    304; pages that did while others changed are fetched again without ETag.
    """
    answers = [send_page({**params, "page": 1}, True)]
    while answers[-1].error is None and len(answers) < _page_count(answers):
        total = _page_count(answers)
        calls = [{**params, "page": page} for page in range(len(answers) + 1, total + 1)]
        answers += batch(calls, lambda call: send_page(call, True))
    if answers[-1].error is not None:  # a batch ends at its first failure
        raise answers[-1].error
    pages = {answer.params["page"]: answer.data[0] for answer in answers}
    unchanged = [page for page, data in pages.items() if data is UNCHANGED]
    if len(unchanged) == len(pages):
        raise AllPagesUnchanged()
    if unchanged:  # their 304 would hide rows of a list that changed
        calls = [{**params, "page": page} for page in unchanged]
        for answer in batch(calls, lambda call: send_page(call, False)):
            if answer.error is not None:
                raise answer.error
            pages[answer.params["page"]] = answer.data[0]
    return [row for page in sorted(pages) for row in as_rows(pages[page])]


def _page_count(answers: list[Answer]) -> int:
    """The most pages any answer reported (a list may grow while it is read)."""
    counts = []
    for answer in answers:
        try:
            counts.append(int(header(answer.data[1], "X-Pages") or 1))
        except ValueError:
            counts.append(1)
    return max(counts)


def as_rows(data: Any) -> list:
    return data if isinstance(data, list) else [data]
