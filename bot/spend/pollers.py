"""Pollers for the providers' own cost figures: OpenAI's organisation costs and Anthropic's cost report.

The only module here that talks to a provider. Each needs an admin key from the settings
(OPENAI_ADMIN_KEY, ANTHROPIC_ADMIN_KEY); the key goes in a header and never into a message.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import httpx

from bot.spend.errors import PollError, SpendFileError
from bot.spend.imports import anthropic_rows, openai_rows
from bot.spend.ledger import SpendRow

TIMEOUT_SECONDS = 20.0
MAX_PAGES = 40
"""A month of daily buckets needs a handful of pages; more means the endpoint is looping."""


@dataclass(frozen=True)
class Poller:
    """One provider's cost endpoint."""

    provider: str
    base_url: str
    key: str

    def fetch(
        self, since: dt.date, until: dt.date, *, transport: httpx.BaseTransport | None = None
    ) -> list[SpendRow]:
        """Daily spend from `since` up to (not including) `until`.

        Raises:
            PollError: the endpoint refused the key, failed, or answered something unexpected.
        """
        pages = self._pages(since, until, transport)
        try:
            if self.provider == "openai":
                return openai_rows(pages, f"{self.provider} costs endpoint")
            return anthropic_rows(pages, f"{self.provider} cost report")
        except SpendFileError as error:
            raise PollError(str(error)) from None

    def _pages(
        self, since: dt.date, until: dt.date, transport: httpx.BaseTransport | None
    ) -> list[dict[str, Any]]:
        openai = self.provider == "openai"
        path, headers, query = (
            ("organization/costs", {"Authorization": f"Bearer {self.key}"}, _openai_query(since, until))
            if openai
            else (
                "organizations/cost_report",
                {"x-api-key": self.key, "anthropic-version": "2023-06-01"},
                _anthropic_query(since, until),
            )
        )
        pages: list[dict[str, Any]] = []
        with httpx.Client(
            base_url=self.base_url.rstrip("/") + "/", timeout=TIMEOUT_SECONDS, transport=transport
        ) as client:
            for _ in range(MAX_PAGES):
                page = self._get(client, path, headers, query)
                pages.append(page)
                token = page.get("next_page")
                if not page.get("has_more") or not token:
                    return pages
                query = {**query, "page": token}
        raise PollError(f"{self.provider} cost endpoint returned more than {MAX_PAGES} pages")

    def _get(
        self, client: httpx.Client, path: str, headers: dict[str, str], query: dict[str, Any]
    ) -> dict[str, Any]:
        try:
            response = client.get(path, headers=headers, params=query)
        except httpx.HTTPError as error:
            raise PollError(
                f"cannot reach the {self.provider} cost endpoint ({type(error).__name__})"
            ) from None
        if response.status_code in (401, 403):
            raise PollError(
                f"{self.provider} refused the admin key (HTTP {response.status_code}): "
                f"set {self.provider.upper()}_ADMIN_KEY to an organisation admin key"
            )
        if response.status_code != 200:
            raise PollError(f"{self.provider} cost endpoint answered HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise PollError(f"{self.provider} cost endpoint answered something that is not JSON") from None
        if not isinstance(body, dict):
            raise PollError(f"{self.provider} cost endpoint answered JSON that is not an object")
        return body


def _openai_query(since: dt.date, until: dt.date) -> dict[str, Any]:
    start = int(dt.datetime.combine(since, dt.time(), dt.UTC).timestamp())
    end = int(dt.datetime.combine(until, dt.time(), dt.UTC).timestamp())
    return {"start_time": start, "end_time": end, "bucket_width": "1d", "limit": 31}


def _anthropic_query(since: dt.date, until: dt.date) -> dict[str, Any]:
    return {
        "starting_at": f"{since.isoformat()}T00:00:00Z",
        "ending_at": f"{until.isoformat()}T00:00:00Z",
        "bucket_width": "1d",
        "limit": 31,
    }


def configured_pollers(settings: Any) -> list[Poller]:
    """A poller for each provider whose admin key is set."""
    pollers = []
    for provider in ("openai", "anthropic"):
        key = getattr(settings, f"{provider}_admin_key")
        secret = key.get_secret_value().strip() if key is not None else ""
        if secret:
            pollers.append(Poller(provider, getattr(settings, f"{provider}_admin_url"), secret))
    return pollers
