"""Acknowledge first, work after: answers wait for a burst of incoming requests to pass.

Answers are CPU-bound Python on worker threads; acks are short but need the interpreter lock too.
When fifty events arrive at once, answers started during the burst make every later ack queue
behind them. Work submitted here starts once no new request has arrived for `quiet` seconds (or
after `longest_wait` at most), so the burst is acknowledged before the answers compete with it.
"""

import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


_CLOCK_GRAIN = 1e-6
"""Within a microsecond of a deadline counts as reached (sums of float seconds do not land exactly)."""


class AcksFirst(Executor):
    """An executor that holds each task until requests pause, then runs it on `inner`."""

    def __init__(
        self,
        inner: Executor,
        *,
        quiet: float = 0.02,
        longest_wait: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Wrap `inner`.

        Args:
            inner: Where the work runs.
            quiet: Seconds without a new submission that count as the end of a burst.
            longest_wait: The most a task waits for a burst to end.
            clock, sleep: Injectable for tests.
        """
        self.inner = inner
        self._quiet = quiet
        self._longest = longest_wait
        self._clock = clock
        self._sleep = sleep
        self._last = clock()
        self._lock = threading.Lock()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Note the arrival (a request is being acknowledged now) and queue the work behind the burst."""
        with self._lock:
            self._last = self._clock()
        return self.inner.submit(self._when_quiet, fn, args, kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Shut the inner executor down."""
        self.inner.shutdown(wait, cancel_futures=cancel_futures)

    def _when_quiet(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
        give_up = self._clock() + self._longest
        while True:
            with self._lock:
                burst_over = self._last + self._quiet
            wake = min(burst_over, give_up)
            now = self._clock()
            if now >= wake - _CLOCK_GRAIN:
                break
            self._sleep(wake - now)
        return fn(*args, **kwargs)
