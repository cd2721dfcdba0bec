"""read_ahead: order, where prepare runs, errors in order, and the thread ends on close."""

import threading
from collections.abc import Iterator
from contextlib import closing

import pytest

from surveys.read_ahead import read_ahead


class _BoomError(Exception):
    pass


def test_items_come_in_order_and_prepare_runs_in_the_callers_thread() -> None:
    producer_threads: set[str] = set()
    prepare_threads: set[str] = set()

    def produce() -> Iterator[int]:
        for i in range(5):
            producer_threads.add(threading.current_thread().name)
            yield i

    def prepare(i: int) -> int:
        prepare_threads.add(threading.current_thread().name)
        return i * 10

    assert list(read_ahead(produce(), prepare)) == [0, 10, 20, 30, 40]
    assert prepare_threads == {threading.current_thread().name}
    assert threading.current_thread().name not in producer_threads


def test_an_error_reading_item_k_plus_1_comes_after_item_k() -> None:
    def produce() -> Iterator[int]:
        yield 1
        yield 2
        raise _BoomError

    got: list[int] = []
    with pytest.raises(_BoomError):
        got.extend(read_ahead(produce(), lambda i: i))
    assert got == [1, 2]


def test_closing_early_waits_for_the_read_in_flight_and_ends_the_thread() -> None:
    reading, release = threading.Event(), threading.Event()
    finished: list[int] = []

    def produce() -> Iterator[int]:
        yield 1
        reading.set()
        release.wait(5)
        finished.append(2)
        yield 2

    before = threading.active_count()
    with closing(read_ahead(produce(), lambda i: i)) as items:
        assert next(items) == 1
        assert reading.wait(5)  # item 2 is being read
        release.set()
    assert finished == [2]  # the read in flight completed before close returned
    assert threading.active_count() == before
