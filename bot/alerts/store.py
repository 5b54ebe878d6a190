"""Alert subscriptions and each alert's delivery state, in the advisor's database.

A delivery row is written (state `pending`, with the message to post) before anything is posted;
a runner claims it before each try (a lease, so two runners never post the same alert at once);
it becomes `posted` with the message's ts after Slack accepts it, or `failed` after
`give_up_after_attempts` tries. `attempts` counts tries started, so a row with attempts > 0 that is
still pending may already be in the channel: the sender reads the channel back before posting again.
"""

import json
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.alerts.evaluate import DueAlert, Subscription
from bot.database import Database, alert_deliveries, alert_subscriptions

LEASE_SECONDS = 120.0
"""How long a claim holds off other runners; a runner on this host that died frees its claim at once."""


@dataclass(frozen=True)
class Delivery:
    """One alert's delivery state."""

    key: str
    channel: str
    rule: str
    threshold: str
    month: str
    state: str
    """pending, posted or failed."""
    message: dict[str, Any]
    """text, blocks and metadata, exactly as they are (or were) posted."""
    attempts: int
    last_error: str | None
    intended_at: float
    posted_at: float | None
    ts: str | None


def this_runner() -> str:
    """`host:pid`, naming the process that holds a claim."""
    return f"{socket.gethostname()}:{os.getpid()}"


class AlertStore:
    """Subscriptions and deliveries; safe to share between threads and processes."""

    def __init__(self, database: Database, *, clock: Callable[[], float] = time.time) -> None:
        """Keep subscriptions and deliveries in `database`; `clock` is seconds since the epoch."""
        self._database = database
        self._clock = clock

    # ---- subscriptions ----

    def subscribe(self, channel: str, rules: tuple[str, ...] = (), *, by: str | None = None) -> bool:
        """Subscribe a channel (to `rules`, or all); True when it was not subscribed before."""
        with self._database.write() as connection:
            before = connection.execute(
                select(alert_subscriptions.c.channel).where(alert_subscriptions.c.channel == channel)
            ).first()
            self._database.upsert(
                connection,
                alert_subscriptions,
                {
                    "channel": channel,
                    "rules": ",".join(rules),
                    "subscribed_by": by,
                    "subscribed_at": self._clock(),
                },
            )
        return before is None

    def unsubscribe(self, channel: str) -> bool:
        """Stop alerts to a channel; False when it was not subscribed."""
        with self._database.write() as connection:
            return bool(
                connection.execute(
                    delete(alert_subscriptions).where(alert_subscriptions.c.channel == channel)
                ).rowcount
            )

    def subscriptions(self) -> list[Subscription]:
        """Every subscribed channel, in the order they subscribed."""
        with self._database.read() as connection:
            rows = connection.execute(
                select(alert_subscriptions).order_by(alert_subscriptions.c.subscribed_at)
            )
            return [
                Subscription(
                    row.channel,
                    tuple(filter(None, row.rules.split(","))),
                    row.subscribed_by,
                    row.subscribed_at,
                )
                for row in rows
            ]

    # ---- deliveries ----

    def intend(self, alert: DueAlert, message: dict[str, Any]) -> bool:
        """Record that `alert` is to be posted, with its message; False when its key is known already."""
        try:
            with self._database.write() as connection:
                connection.execute(
                    alert_deliveries.insert().values(
                        key=alert.key,
                        channel=alert.channel,
                        rule=alert.rule.id,
                        threshold=alert.key.split("|")[2],
                        month=alert.month,
                        state="pending",
                        message=json.dumps(message),
                        attempts=0,
                        intended_at=self._clock(),
                    )
                )
        except IntegrityError:
            return False
        return True

    def pending(self) -> list[Delivery]:
        """Alerts recorded but not yet posted (nor given up), oldest first."""
        return self._select(alert_deliveries.c.state == "pending")

    def deliveries(self, limit: int = 100) -> list[Delivery]:
        """The most recent deliveries, newest first."""
        query = select(alert_deliveries).order_by(alert_deliveries.c.intended_at.desc()).limit(limit)
        with self._database.read() as connection:
            return [_delivery(row) for row in connection.execute(query).mappings()]

    def claim(self, key: str, runner: str, *, lease: float = LEASE_SECONDS) -> Delivery | None:
        """Take a pending alert for one try (attempts + 1); None when another live runner holds it."""
        now = self._clock()
        with self._database.write() as connection:
            row = (
                connection.execute(select(alert_deliveries).where(alert_deliveries.c.key == key))
                .mappings()
                .first()
            )
            if row is None or row["state"] != "pending":
                return None
            holder = row["holder"]
            free = holder is None or holder == runner or (row["held_until"] or 0) < now or _dead_here(holder)
            if not free:
                return None
            connection.execute(
                update(alert_deliveries)
                .where(alert_deliveries.c.key == key)
                .values(holder=runner, held_until=now + lease, attempts=row["attempts"] + 1)
            )
            return _delivery(_row(connection, key))

    def mark_posted(self, key: str, ts: str) -> None:
        """The alert is in the channel, as message `ts`."""
        with self._database.write() as connection:
            connection.execute(
                update(alert_deliveries)
                .where(alert_deliveries.c.key == key)
                .values(state="posted", ts=ts, posted_at=self._clock(), holder=None, held_until=None)
            )

    def record_failure(self, key: str, error: str, *, give_up: bool) -> None:
        """A try failed with `error` (one line); the alert stays pending unless `give_up`."""
        with self._database.write() as connection:
            connection.execute(
                update(alert_deliveries)
                .where(alert_deliveries.c.key == key)
                .values(
                    last_error=error, state="failed" if give_up else "pending", holder=None, held_until=None
                )
            )

    def _select(self, condition: Any) -> list[Delivery]:
        query = select(alert_deliveries).where(condition).order_by(alert_deliveries.c.intended_at)
        with self._database.read() as connection:
            return [_delivery(row) for row in connection.execute(query).mappings()]


def _row(connection: Connection, key: str) -> Any:
    return connection.execute(select(alert_deliveries).where(alert_deliveries.c.key == key)).mappings().one()


def _delivery(row: Any) -> Delivery:
    return Delivery(
        key=row["key"],
        channel=row["channel"],
        rule=row["rule"],
        threshold=row["threshold"],
        month=row["month"],
        state=row["state"],
        message=json.loads(row["message"]),
        attempts=int(row["attempts"]),
        last_error=row["last_error"],
        intended_at=float(row["intended_at"]),
        posted_at=row["posted_at"],
        ts=row["ts"],
    )


def _dead_here(holder: str) -> bool:
    """True when `holder` is a process on this host that no longer runs (killed, crashed)."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
