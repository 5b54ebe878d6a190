"""A circuit breaker around the LLM: after repeated failures, answer offline at once until a probe succeeds.

Without it every question waits out the LLM's whole deadline while the endpoint is down. With it,
after `failure_threshold` failures in a row the breaker opens and `GuardedAnswerer` fails at once
(the chain answers offline with its one-line notice); after `reset_after` seconds one question is
let through as a probe: success closes the breaker, failure opens it for another `reset_after`.
"""

import threading
import time
from collections.abc import Callable, Sequence
from typing import Literal

from bot.chain.answer import Draft, Turn
from bot.chain.chain import Answerer
from bot.chain.llm import LlmError
from bot.chain.offline import PassageLike

State = Literal["closed", "open", "half-open"]


class CircuitBreaker:
    """Counts consecutive failures; thread-safe, with an injectable clock."""

    def __init__(
        self,
        failure_threshold: int = 3,
        reset_after: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Start closed.

        Args:
            failure_threshold: Consecutive failures that open the breaker.
            reset_after: Seconds the breaker stays open before one probe is allowed.
            clock: Seconds, monotonic; tests pass their own.

        Raises:
            ValueError: a threshold below 1 or a negative reset time.
        """
        if failure_threshold < 1 or reset_after < 0:
            raise ValueError("failure_threshold must be at least 1 and reset_after not negative")
        self.failure_threshold = failure_threshold
        self.reset_after = reset_after
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> State:
        """closed (calls go through), open (they fail at once) or half-open (a probe may go)."""
        with self._lock:
            return self._state()

    @property
    def failures(self) -> int:
        """Failures in a row so far."""
        with self._lock:
            return self._failures

    def allow(self) -> bool:
        """Whether a call may go ahead now; in half-open state only one caller (the probe) gets True.

        A caller that gets True must report the outcome with `record_success` or `record_failure`.
        """
        with self._lock:
            state = self._state()
            if state == "closed":
                return True
            if state == "half-open" and not self._probing:
                self._probing = True
                return True
            return False

    def record_success(self) -> None:
        """A call succeeded: close the breaker and forget earlier failures."""
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._probing = False

    def record_failure(self) -> None:
        """A call failed: open the breaker at the threshold, or again after a failed probe."""
        with self._lock:
            self._failures += 1
            self._probing = False
            if self._failures >= self.failure_threshold:
                self._opened_at = self._clock()

    def _state(self) -> State:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.reset_after:
            return "half-open"
        return "open"


class GuardedAnswerer:
    """An LLM answerer behind a circuit breaker: while it is open, `answer` fails at once, sending nothing."""

    def __init__(self, inner: Answerer, breaker: CircuitBreaker) -> None:
        """Wrap `inner`; `breaker` may be shared by several answerers on the same endpoint."""
        self.inner = inner
        self.breaker = breaker
        self.model = inner.model
        """The wrapped answerer's model name, for cost accounting."""

    def describe(self) -> str:
        """The wrapped answerer's model and endpoint."""
        return self.inner.describe()

    def __repr__(self) -> str:
        return f"GuardedAnswerer({self.describe()}, {self.breaker.state})"

    def answer(
        self,
        question: str,
        passages: Sequence[PassageLike],
        history: Sequence[Turn] = (),
        *,
        on_text: Callable[[str], None] | None = None,
    ) -> Draft:
        """`inner.answer`, unless the breaker is open; every outcome is recorded on the breaker.

        Raises:
            LlmError: the breaker is open (no request is made), or the wrapped answerer failed.
        """
        if not self.breaker.allow():
            raise LlmError(
                f"the LLM failed {self.breaker.failures} times in a row; answering offline until it recovers"
            )
        try:
            draft = self.inner.answer(question, passages, history, on_text=on_text)
        except BaseException:
            self.breaker.record_failure()
            raise
        self.breaker.record_success()
        return draft
