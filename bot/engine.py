"""Everything an answer needs, built once at start-up and shared by every Slack listener thread."""

import logging
import time
from dataclasses import dataclass

from bot.chain.chain import AdvisorChain
from bot.database import Database
from bot.dedupe import DedupeStore
from bot.feedback import FeedbackStore
from bot.secrets import Scrubber
from bot.settings import Settings
from knowledge.tables import Tables, tables

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Engine:
    """The answer chain, the database's stores, the price tables and the secret scrubber."""

    settings: Settings
    chain: AdvisorChain
    database: Database
    dedupe: DedupeStore
    feedback: FeedbackStore
    tables: Tables
    scrubber: Scrubber


def load_engine(settings: Settings) -> Engine:
    """Load the model, the index and the database, and do the slow first-answer work now.

    After this returns, the first question is answered as fast as the hundredth: the embedding
    model is loaded and the guide's sentences are embedded.
    """
    from bot.wiring import build_chain, open_database

    started = time.perf_counter()
    database = open_database(settings)
    chain = build_chain(settings, database=database)
    chain.warm()
    logger.info("engine ready in %.1f s (%s)", time.perf_counter() - started, chain.mode)
    return Engine(
        settings=settings,
        chain=chain,
        database=database,
        dedupe=DedupeStore(database),
        feedback=FeedbackStore(database),
        tables=tables(),
        scrubber=scrubber_for(settings),
    )


def scrubber_for(settings: Settings) -> Scrubber:
    """A scrubber that knows every secret the settings hold."""
    return Scrubber(settings.secret_values())
