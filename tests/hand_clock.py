"""A clock that tests move by hand, for every store that takes `clock=`."""

from dataclasses import dataclass


@dataclass
class HandClock:
    """Seconds since the epoch, changed only by the test (`clock.now += 3600`)."""

    now: float = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now
