"""Read the next item of a slow iterator (a KoBo page) in a thread while the caller works.

Sync alternates downloading a page of KoBo JSON and writing it to PostgreSQL; reading one
page ahead lets the two overlap. Only the iterator runs in the thread: the caller must not
use what it uses (the client's HTTP session) while iterating, except in `prepare`, which runs
in the caller's thread before the next read starts.
"""

from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
U = TypeVar("U")

_END = object()


def read_ahead(items: Iterator[T], prepare: Callable[[T], U]) -> Generator[U, None, None]:
    """prepare(item) for each item, in order, the next item being read meanwhile.

    An exception of the iterator reaches the caller when it asks for that item, so a failure
    on page k+1 still lets page k be written first. Close the generator (contextlib.closing)
    to stop early: it waits for a read in flight, then the thread ends.
    """
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead")
    try:
        ahead = pool.submit(next, items, _END)
        while (item := ahead.result()) is not _END:
            prepared = prepare(item)  # type: ignore[arg-type]  # _END is ruled out above
            ahead = pool.submit(next, items, _END)
            yield prepared
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
