"""Build the heavy parts from settings, once, when a command or the bot first needs them."""

import functools
import os
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from bot.chain.chain import AdvisorChain
    from bot.database import Database
    from knowledge.index import KnowledgeIndex


def _offline_environment() -> None:
    """Keep the Hugging Face hub and Chroma's telemetry from reaching for the network."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def open_index(settings: Settings, embeddings: "Embeddings | None" = None) -> "KnowledgeIndex":
    """The knowledge index under the data folder, with the configured embedding model.

    Imports sentence-transformers and Chroma, so calculator-only paths never call it.
    """
    _offline_environment()
    from knowledge.index import KnowledgeIndex

    return KnowledgeIndex(
        settings.data_dir, embeddings or open_embeddings(settings), retrieval=settings.advisor_retrieval
    )


def open_embeddings(settings: Settings) -> "Embeddings":
    """The configured sentence-transformers model (loaded lazily on first use)."""
    _offline_environment()
    from knowledge.embeddings import SentenceTransformerEmbeddings

    return SentenceTransformerEmbeddings(settings.advisor_embedding_model)


def open_database(settings: Settings) -> "Database":
    """The advisor's database at ADVISOR_DATABASE_URL, migrated, with an older data folder's stores imported."""
    from bot.database import Database, import_legacy_files

    database = Database(settings.database_url)
    import_legacy_files(database, settings.data_dir)
    return database


def build_chain(
    settings: Settings, *, use_cache: bool = True, database: "Database | None" = None
) -> "AdvisorChain":
    """The answer chain: LLM mode when OPENAI_API_KEY is set, else the offline answerer.

    Its stores live in `database`, opened from the settings when not given.
    """
    from bot.chain.cache import AnswerCache
    from bot.chain.chain import AdvisorChain
    from bot.chain.memory import ConversationMemory
    from bot.chain.offline import OfflineAnswerer
    from bot.chain.plan import plan_key
    from bot.stats import StatsStore
    from knowledge.tables import tables, tables_fingerprint

    embeddings = open_embeddings(settings)
    index = open_index(settings, embeddings)
    index.ensure_ready()
    database = database or open_database(settings)
    llm = None
    cost: Callable[[str, int, int], Decimal] | None = None
    if settings.openai_api_key is not None and settings.openai_api_key.get_secret_value():
        from bot.chain.breaker import CircuitBreaker, GuardedAnswerer
        from bot.chain.llm import LlmAnswerer, llm_cost
        from bot.engine import scrubber_for

        # After repeated failures the breaker answers offline at once until a probe succeeds.
        llm = GuardedAnswerer(
            LlmAnswerer(
                api_key=settings.openai_api_key.get_secret_value(),
                base_url=settings.openai_base_url or None,
                model=settings.advisor_llm_model,
                timeout=settings.advisor_llm_timeout,
                max_retries=settings.advisor_llm_max_retries,
                max_tokens=settings.advisor_llm_max_tokens,
                tables=tables(),
                deadline=settings.advisor_llm_deadline,
                max_reply_chars=settings.advisor_llm_max_reply_chars,
                scrubber=scrubber_for(settings),
            ),
            CircuitBreaker(
                failure_threshold=settings.advisor_llm_breaker_failures,
                reset_after=settings.advisor_llm_breaker_reset,
            ),
        )
        cost = functools.partial(llm_cost, tables=tables())

    return AdvisorChain(
        retriever=index,
        offline=OfflineAnswerer(tables(), embeddings),
        llm=llm,
        cache=AnswerCache(database, embeddings) if use_cache else None,
        stats=StatsStore(database),
        memory=ConversationMemory(database),
        price_fingerprint=tables_fingerprint(),
        llm_cost=cost,
        embeddings=embeddings,
        plan_key=plan_key,
    )
