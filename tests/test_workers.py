"""Work waits for a burst of requests to be acknowledged, but never longer than its bound."""

from concurrent.futures import Executor, Future
from typing import Any

import pytest
from hand_clock import HandClock

from bot.slack.workers import AcksFirst


class Inline(Executor):
    """Runs each task when `run_all` is called, in order, on the caller's thread."""

    def __init__(self) -> None:
        self.queued: list[tuple[Any, tuple[Any, ...], dict[str, Any], Future[Any]]] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self.queued.append((fn, args, kwargs, future))
        return future

    def run_all(self) -> None:
        """Run what is queued now (tasks queued meanwhile wait for the next call)."""
        ready, self.queued = self.queued, []
        for fn, args, kwargs, future in ready:
            future.set_result(fn(*args, **kwargs))


def test_work_starts_once_requests_pause() -> None:
    """A task submitted in a burst waits until no request has come for the quiet time, then runs."""
    clock, inner = HandClock(100.0), Inline()
    workers = AcksFirst(inner, quiet=0.02, longest_wait=1.0, clock=clock, sleep=clock.sleep)
    future = workers.submit(lambda: "answered")
    inner.run_all()
    assert future.result() == "answered"
    assert sum(clock.slept) == pytest.approx(0.02)


def test_work_never_waits_longer_than_its_bound() -> None:
    """Under an endless stream of requests a task still starts after `longest_wait`."""
    clock, inner = HandClock(100.0), Inline()
    arrivals: list[AcksFirst] = []

    def busy_sleep(seconds: float) -> None:
        clock.sleep(seconds)
        arrivals[0].submit(lambda: None)  # another request arrives during every wait

    workers = AcksFirst(inner, quiet=0.02, longest_wait=0.1, clock=clock, sleep=busy_sleep)
    arrivals.append(workers)
    future = workers.submit(lambda: "answered")
    inner.run_all()
    assert future.result() == "answered"
    assert clock.now - 100.0 == pytest.approx(0.1)
