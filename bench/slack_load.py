"""Acknowledgement latency of `advisor serve --http` under bursts of Slack events (`make bench-slack`).

Starts a fake Slack Web API (in a process of its own) and the real server pointed at it, sends
signed `app_mention` events 50 at a time (each with its own event_id) mixed with Slack-style
retries of events already sent,
then prints the acknowledgement latency (p50/p99/max, nearest rank) and checks in the fake that
every event was answered exactly once in its thread. Exits 1 if any event was not.
"""

import argparse
import http.client
import json
import math
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the fake Slack and the request helpers live in tests/

import slack_requests
import slack_server

from bot.stats import nearest_rank

SIGNING_SECRET = "bench-signing-secret"  # noqa: S105 (a made-up secret for a local fake)
BOT_TOKEN = "xoxb-bench-token"  # noqa: S105 (a made-up token for a local fake)
CHANNELS = [f"CBENCH{n:02d}" for n in range(25)]
QUESTIONS = [
    "should we self-host at {n}M tokens a month?",
    "what does {n}M tokens a month cost on gpt-4o?",
    "we spend ${n}K a month on OpenAI, which phase are we in?",
    "when does self-hosting break even for {n}M tokens?",
    "how many GPUs for {n}M tokens a month?",
]
TARGET_P99_MS = 100.0


@dataclass(frozen=True)
class Delivery:
    """One HTTP request Slack would send: an event, or a retry of one."""

    event_id: str
    channel: str
    ts: str
    body: str
    retry_num: int | None


@dataclass(frozen=True)
class Ack:
    """What the server answered and how long it took, in milliseconds."""

    delivery: Delivery
    status: int
    milliseconds: float


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200, help="distinct events to send (default 200)")
    parser.add_argument("--concurrency", type=int, default=50, help="requests in flight at once (default 50)")
    parser.add_argument("--retries", type=int, default=40, help="retried deliveries mixed in (default 40)")
    parser.add_argument("--answer-timeout", type=float, default=180.0, help="seconds to wait for answers")
    parser.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake:
        return _serve_fake()

    fake = RemoteFake()
    with tempfile.TemporaryDirectory(prefix="bench-slack-") as data_dir:
        server, url = _start_server(fake.base_url, data_dir)
        try:
            loaded = _wait_until_healthy(url, server)
            load = os.getloadavg()[0]
            print(
                f"advisor serve --http ready at {url} after {loaded:.1f} s (load average {load:.1f}, {os.cpu_count()} cores)"
            )
            deliveries = _deliveries(fake, args.events, args.retries, args.concurrency)
            started = time.monotonic()
            acks = _send_all(url, deliveries, args.concurrency)
            sent_in = time.monotonic() - started
            answers, answered_in = _wait_for_answers(fake, deliveries, args.answer_timeout)
        finally:
            exit_code = _stop(server)
            fake.stop()
    return _report(deliveries, acks, sent_in, answers, answered_in, exit_code, args.concurrency)


class RemoteFake:
    """The fake Slack in a process of its own, so its work does not share this process's GIL with
    the clients being timed (a real Slack is not in the sender's process either)."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, __file__, "--serve-fake"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.base_url = self._read()["base_url"]

    def add_message(self, channel: str, text: str, *, user: str) -> str:
        return str(self._ask(op="add", channel=channel, text=text, user=user)["ts"])

    def messages(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        return list(self._ask(op="messages", channel=channel, thread_ts=thread_ts)["messages"])

    def stop(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(timeout=30)
        _close(self._process.stdout)

    def _ask(self, **request: str) -> dict[str, Any]:
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        return self._read()

    def _read(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise SystemExit(f"the fake Slack exited with {self._process.wait()}")
        return dict(json.loads(line))


def _serve_fake() -> int:
    """The child side of RemoteFake: one JSON request a line on stdin, one answer a line on stdout."""
    with slack_server.fake_slack_server() as fake:
        print(json.dumps({"base_url": fake.base_url}), flush=True)
        for line in sys.stdin:
            request = json.loads(line)
            if request["op"] == "add":
                answer: dict[str, Any] = {
                    "ts": fake.add_message(request["channel"], request["text"], user=request["user"])
                }
            else:
                answer = {"messages": fake.messages(request["channel"], request["thread_ts"])}
            print(json.dumps(answer), flush=True)
    return 0


def _close(stream: IO[str] | None) -> None:
    if stream is not None:
        stream.close()


def _start_server(api_url: str, data_dir: str) -> tuple[subprocess.Popen[str], str]:
    """`advisor serve --http --port 0` against the fake, with a fresh data folder; its URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))}
    env.update(
        SLACK_API_URL=api_url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        ADVISOR_DATA_DIR=data_dir,
        HF_HUB_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
    )
    log = Path(data_dir) / "serve.log"
    with log.open("w") as stderr:  # the child keeps its own copy of the descriptor
        server = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--http", "--port", "0"],
            cwd=data_dir,  # no .env of the developer's is read
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    assert server.stdout is not None
    for line in server.stdout:
        found = re.search(r"http://127\.0\.0\.1:\d+", line)
        if found:
            threading.Thread(target=_drain, args=(server.stdout,), daemon=True).start()
            return server, found.group(0)
    raise SystemExit(f"advisor serve exited with {server.wait()}:\n{log.read_text()}")


def _drain(stream: IO[str]) -> None:
    for _ in stream:
        pass


def _wait_until_healthy(url: str, server: subprocess.Popen[str], timeout: float = 300.0) -> float:
    """Seconds until /healthz said 200."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if server.poll() is not None:
            raise SystemExit(f"advisor serve exited with {server.returncode} while loading")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:  # noqa: S310 (our own URL)
                if response.status == 200:
                    return time.monotonic() - started
        except urllib.error.HTTPError as error:
            if error.code != 503:
                raise
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"/healthz was not 200 within {timeout:.0f} s")


def _deliveries(fake: Any, events: int, retries: int, batch: int) -> list[Delivery]:
    """`events` mentions, each a person's message in the fake; retries of earlier ones mixed into later batches."""
    chooser = random.Random(6)
    originals: list[Delivery] = []
    for n in range(events):
        channel = CHANNELS[n % len(CHANNELS)]
        text = "<@U0BOT> " + QUESTIONS[n % len(QUESTIONS)].format(n=100 + n)
        ts = fake.add_message(channel, text, user="U_BENCH")
        event_id = f"EvBENCH{n:05d}"
        body = json.dumps(slack_requests.app_mention(text=text, channel=channel, ts=ts, event_id=event_id))
        originals.append(Delivery(event_id, channel, ts, body, None))
    later_batches = max(1, math.ceil(events / batch) - 1)
    per_batch = math.ceil(retries / later_batches)
    ordered: list[Delivery] = []
    for start in range(0, events, batch):
        ordered += originals[start : start + batch]
        # Slack retries what it did not see acknowledged in time: events of earlier batches, some
        # of them probably still being answered.
        count = min(per_batch, retries - sum(d.retry_num is not None for d in ordered), start)
        for original in chooser.sample(originals[:start], count):
            retry = chooser.choice((1, 2))
            ordered.append(Delivery(original.event_id, original.channel, original.ts, original.body, retry))
    return ordered


def _send_all(url: str, deliveries: list[Delivery], concurrency: int) -> list[Ack]:
    """Send in rounds of `concurrency` requests at once; each round starts when the last one is acknowledged."""
    host, port = url.removeprefix("http://").split(":")
    acks: list[Ack] = []
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for start in range(0, len(deliveries), concurrency):
            batch = deliveries[start : start + concurrency]
            acks += pool.map(lambda d: _send(host, int(port), d), batch)
    return acks


def _send(host: str, port: int, delivery: Delivery) -> Ack:
    """One signed POST to /slack/events, timed from connect to the whole response read."""
    headers = {"Content-Type": "application/json"}
    headers.update(slack_requests.sign(delivery.body, SIGNING_SECRET, retry_num=delivery.retry_num))
    payload = delivery.body.encode()
    started = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request("POST", "/slack/events", body=payload, headers=headers)
        response = connection.getresponse()
        response.read()
        status = response.status
    finally:
        connection.close()
    return Ack(delivery, status, (time.perf_counter() - started) * 1000)


def _bot_replies(fake: Any, delivery: Delivery) -> int:
    """How many messages the bot posted in the mention's thread (posts and streams alike)."""
    return sum(
        1
        for message in fake.messages(delivery.channel, delivery.ts)
        if message["ts"] != delivery.ts and message.get("user") != "U_BENCH"
    )


def _wait_for_answers(fake: Any, deliveries: list[Delivery], timeout: float) -> tuple[dict[str, int], float]:
    """Replies per event once every event has one (or the timeout passed), and how long that took."""
    events = {d.event_id: d for d in deliveries if d.retry_num is None}
    started = time.monotonic()
    while True:
        replies = {event_id: _bot_replies(fake, d) for event_id, d in events.items()}
        if all(replies.values()) or time.monotonic() - started > timeout:
            break
        time.sleep(0.25)
    answered_in = time.monotonic() - started
    time.sleep(2.0)  # a late duplicate would show up now
    return {event_id: _bot_replies(fake, d) for event_id, d in events.items()}, answered_in


def _stop(server: subprocess.Popen[str]) -> int | None:
    """SIGTERM, then the exit code (None if it had to be killed)."""
    server.send_signal(signal.SIGTERM)
    try:
        return server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        return None


def _report(
    deliveries: list[Delivery],
    acks: list[Ack],
    sent_in: float,
    answers: dict[str, int],
    answered_in: float,
    exit_code: int | None,
    concurrency: int,
) -> int:
    latencies = sorted(ack.milliseconds for ack in acks)
    p50, p99, slowest = nearest_rank(latencies, 50), nearest_rank(latencies, 99), latencies[-1]
    statuses: dict[int, int] = {}
    for ack in acks:
        statuses[ack.status] = statuses.get(ack.status, 0) + 1
    retried = {d.event_id for d in deliveries if d.retry_num is not None}
    once = sum(1 for count in answers.values() if count == 1)
    unanswered = sorted(event_id for event_id, count in answers.items() if count == 0)
    twice = sorted(event_id for event_id, count in answers.items() if count > 1)
    retried_twice = sorted(event_id for event_id in twice if event_id in retried)
    print(
        f"sent {len(acks)} requests ({len(answers)} events + {len(acks) - len(answers)} retries of events already "
        f"sent), {concurrency} at a time, in {sent_in:.1f} s; HTTP statuses: "
        + ", ".join(f"{status} x{count}" for status, count in sorted(statuses.items()))
    )
    met = "met" if p99 < TARGET_P99_MS else "NOT met"
    print(
        f"acknowledgement latency (nearest rank): p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {slowest:.1f} ms "
        f"(target p99 < {TARGET_P99_MS:.0f} ms: {met})"
    )
    print(
        f"answered: {len(answers) - len(unanswered)}/{len(answers)} events, {once} exactly once, "
        f"all within {answered_in:.1f} s of the last acknowledgement; "
        f"{len(retried)} events were retried, {len(retried_twice)} of them answered twice"
    )
    if unanswered:
        print(f"not answered: {', '.join(unanswered[:10])}{' ...' if len(unanswered) > 10 else ''}")
    if twice:
        print(f"answered more than once: {', '.join(twice[:10])}{' ...' if len(twice) > 10 else ''}")
    print(f"advisor serve exited with {exit_code} after SIGTERM")
    correct = once == len(answers) and all(status == 200 for status in statuses) and exit_code == 0
    return 0 if correct else 1


if __name__ == "__main__":
    sys.exit(main())
