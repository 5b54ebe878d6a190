"""In-process scheduling while `advisor serve` runs: an alerts run at every interval boundary.

The clock is an argument (a timezone-aware `datetime` source), so a test can drive a month of
runs by moving a fake clock and calling `run_pending`; the thread only sleeps until the next run.
"""

import datetime as dt
import logging
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)


def utc_now() -> dt.datetime:
    """The current time, timezone-aware."""
    return dt.datetime.now(dt.UTC)


class AlertScheduler:
    """Calls `run(now)` at each multiple of `every` (from midnight UTC); a failed run is logged, not fatal."""

    def __init__(
        self,
        run: Callable[[dt.datetime], object],
        *,
        every: dt.timedelta,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self._run = run
        self._every = every
        self._clock = clock
        self.next_run: dt.datetime | None = None
        """When the next run is due; None until the first check, which runs at once."""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_pending(self) -> bool:
        """Run if a run is due at the clock's time; True when it ran."""
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the scheduler's clock must be timezone-aware")
        if self.next_run is not None and now < self.next_run:
            return False
        try:
            self._run(now)
        except Exception:
            logger.exception("alerts run at %s failed; the next run tries again", now.isoformat())
        self.next_run = _next_boundary(now, self._every)
        return True

    def start(self) -> None:
        """Run in a daemon thread until `stop`."""
        self._thread = threading.Thread(target=self._loop, name="alerts-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the run in progress, if any (waiting up to `timeout` seconds)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_pending()
            assert self.next_run is not None
            wait = (self.next_run - self._clock()).total_seconds()
            self._stop.wait(max(wait, 1.0))


def _next_boundary(now: dt.datetime, every: dt.timedelta) -> dt.datetime:
    """The first multiple of `every` after `now`, counted from midnight UTC of `now`'s day."""
    midnight = now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    steps = (now - midnight) // every + 1
    return (midnight + steps * every).astimezone(now.tzinfo)
