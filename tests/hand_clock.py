"""A clock that tests move by hand, for every store that takes `clock=` and every wait that takes `sleep=`."""

from dataclasses import dataclass, field


@dataclass
class HandClock:
    """Seconds since the epoch, changed only by the test (`clock.now += 3600`) or by the code sleeping on it."""

    now: float = 1_700_000_000.0
    slept: list[float] = field(default_factory=list)
    """Every `sleep` the code under test asked for, in order."""

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        """Pass `seconds` at once: the clock moves, nothing waits."""
        self.slept.append(seconds)
        self.now += seconds
