"""The answer chain: question -> retrieval -> LLM with calculator tools, or the offline answerer -> Answer.

Built from LangChain runnables: retrieval is one step, the answerer another, and the LLM step has
the offline answerer as its fallback, so any LLM failure still produces an answer that says so.
"""

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from langchain_core.runnables import Runnable, RunnableLambda
from sqlalchemy.exc import SQLAlchemyError

from bot.chain.answer import Answer, Draft, Mode, Source, Turn
from bot.chain.offline import OfflineAnswerer, PassageLike
from knowledge.vocabulary import vocabulary

logger = logging.getLogger(__name__)
_T = TypeVar("_T")


class Retriever(Protocol):
    """What the chain needs of the knowledge index."""

    def search(self, query: str, k: int = 4, *, vector: Sequence[float] | None = None) -> Sequence[Any]:
        """Passages best first, each with section, subsection, text, score and source."""
        ...

    def fingerprint(self) -> str:
        """Changes when the indexed content changes."""
        ...


class Answerer(Protocol):
    """An LLM answerer: raises on any failure so the chain can fall back."""

    model: str

    def answer(
        self,
        question: str,
        passages: Sequence[PassageLike],
        history: Sequence[Turn] = (),
        *,
        on_text: Callable[[str], None] | None = None,
    ) -> Draft:
        """Answer with tool calls, streaming the final text to `on_text` if given; raise on failure."""
        ...

    def describe(self) -> str:
        """Model and endpoint, never the key."""
        ...


class Cache(Protocol):
    """An answer cache (exact and semantic)."""

    def get(
        self,
        question: str,
        fingerprint: str,
        *,
        vector: Sequence[float] | None = None,
        plan: str | None = None,
    ) -> tuple[Answer, Any] | None:
        """A cached answer and its kind, or None."""
        ...

    def put(
        self,
        question: str,
        answer: Answer,
        fingerprint: str,
        *,
        vector: Sequence[float] | None = None,
        plan: str | None = None,
    ) -> None:
        """Store an answer."""
        ...


class Stats(Protocol):
    """Where every answer is recorded."""

    def record(self, answer: Answer, *, error: str | None = None) -> None:
        """Record one answer."""
        ...


class Memory(Protocol):
    """Conversation memory."""

    def history(self, conversation_id: str) -> list[Turn]:
        """Earlier turns, oldest first."""
        ...

    def remember(self, conversation_id: str, turn: Turn) -> None:
        """Add a turn."""
        ...


class QueryEmbedder(Protocol):
    """Embeds a question once per answer, for retrieval, quote selection and the semantic cache."""

    def embed_query(self, text: str) -> list[float]:
        """The question's vector."""
        ...


class AdvisorChain:
    """Answers questions; every collaborator is passed in so tests can hand it real local ones."""

    def __init__(
        self,
        *,
        retriever: Retriever,
        offline: OfflineAnswerer,
        llm: Answerer | None = None,
        cache: Cache | None = None,
        stats: Stats | None = None,
        memory: Memory | None = None,
        price_fingerprint: str = "",
        llm_cost: Callable[[str, int, int], Decimal] | None = None,
        passages: int = 4,
        clock: Callable[[], float] = time.perf_counter,
        embeddings: QueryEmbedder | None = None,
        plan_key: Callable[[str], str | None] | None = None,
    ) -> None:
        self._retriever = retriever
        self._offline = offline
        self._llm = llm
        self._cache = cache
        self._stats = stats
        self._memory = memory
        self._price_fingerprint = price_fingerprint
        self._llm_cost = llm_cost
        self._k = passages
        self._clock = clock
        self._embeddings = embeddings
        self._plan_key = plan_key
        self._runnable = self._build()

    @property
    def mode(self) -> str:
        """ "llm (model at endpoint)" or "offline", for start-up banners."""
        return f"llm ({self._llm.describe()})" if self._llm is not None else "offline"

    def _build(self) -> Runnable[dict[str, Any], dict[str, Any]]:
        retrieve = RunnableLambda(self._retrieve, name="retrieve")
        offline = RunnableLambda(self._answer_offline, name="offline_answer")
        if self._llm is None:
            return retrieve | offline
        llm = RunnableLambda(self._answer_llm, name="llm_answer")
        fallback = RunnableLambda(self._answer_fallback, name="offline_fallback")
        return retrieve | llm.with_fallbacks(
            [fallback], exceptions_to_handle=(Exception,), exception_key="error"
        )

    @property
    def streams(self) -> bool:
        """Whether answers can stream (LLM mode); offline answers arrive whole in milliseconds."""
        return self._llm is not None

    def history(self, conversation_id: str) -> list[Turn]:
        """The conversation's earlier turns, oldest first (none without memory)."""
        if self._memory is None:
            return []
        return _unless_store_fails("reading the conversation", self._memory.history, conversation_id) or []

    @property
    def retriever(self) -> Retriever:
        """The knowledge index answers are retrieved from."""
        return self._retriever

    def warm(self) -> None:
        """Do the slow first-answer work now: embed the guide's quotable sentences once."""
        passages = list(self._retriever.search("warm up", k=1000))
        self._offline.warm(passages)

    def ask(
        self,
        question: str,
        conversation_id: str | None = None,
        *,
        on_text: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer one question; follow-ups use the conversation's earlier turns.

        Args:
            question: What the user asked.
            conversation_id: A Slack thread, a DM or a chat session; None for a one-off question.
            on_text: Receives the LLM's answer text as it streams (LLM mode only; offline answers
                arrive whole, in milliseconds).
        """
        started = self._clock()
        history = self.history(conversation_id) if conversation_id else []
        fingerprint = self._fingerprint()
        vector = self._embeddings.embed_query(question) if self._embeddings is not None else None
        answer_id = uuid.uuid4().hex
        plan = self._plan_key(question) if self._plan_key is not None and not history else None
        if self._cache is not None and not history:
            cached = _unless_store_fails(
                "reading the answer cache", self._cache.get, question, fingerprint, vector=vector, plan=plan
            )
            if cached is not None:
                answer = replace(
                    cached[0],
                    question=question,
                    conversation_id=conversation_id,
                    timings={"total": self._ms(started)},
                    tokens_in=0,
                    tokens_out=0,
                    cost=Decimal(0),
                    answer_id=answer_id,
                )
                self._finish(answer, conversation_id)
                return answer
        state = self._runnable.invoke(
            {
                "question": question,
                "history": history,
                "started": started,
                "vector": vector,
                "on_text": on_text,
            }
        )
        draft: Draft = state["draft"]
        mode: Mode = state["mode"]
        answer = Answer(
            question=question,
            headline=draft.headline,
            body=draft.body,
            quotes=draft.quotes,
            notes=draft.notes,
            calculations=draft.calculations,
            sources=tuple(
                Source(p.section, p.subsection, round(float(p.score), 4), p.source) for p in state["passages"]
            ),
            mode=mode,
            timings={
                "retrieval": state["retrieval_ms"],
                "answer": self._ms(state["answer_started"]),
                "total": self._ms(started),
            },
            tokens_in=draft.tokens_in,
            tokens_out=draft.tokens_out,
            cost=self._cost(draft) if mode == "llm" else Decimal(0),
            notice=state.get("notice"),
            conversation_id=conversation_id,
            answer_id=answer_id,
        )
        if self._cache is not None and not history and mode != "offline-fallback":
            _unless_store_fails(
                "storing the answer in the cache",
                self._cache.put,
                question,
                answer,
                fingerprint,
                vector=vector,
                plan=plan,
            )
        self._finish(answer, conversation_id, error=state.get("notice"))
        return answer

    def _finish(self, answer: Answer, conversation_id: str | None, error: str | None = None) -> None:
        if self._stats is not None:
            _unless_store_fails("recording the answer's stats", self._stats.record, answer, error=error)
        if self._memory is not None and conversation_id:
            turn = Turn(answer.question, answer.text, answer.calculations)
            _unless_store_fails("remembering the conversation", self._memory.remember, conversation_id, turn)

    def _retrieve(self, state: dict[str, Any]) -> dict[str, Any]:
        started = self._clock()
        # The keyword ranking also looks for the guide's words for what the question calls otherwise.
        words = vocabulary().search_words(state["question"])
        passages = list(self._retriever.search(words, k=self._k, vector=state["vector"]))
        return {
            **state,
            "passages": passages,
            "retrieval_ms": self._ms(started),
            "answer_started": self._clock(),
        }

    def _answer_offline(self, state: dict[str, Any]) -> dict[str, Any]:
        draft = self._offline.answer(
            state["question"], state["passages"], state["history"], query_vector=state["vector"]
        )
        return {**state, "draft": draft, "mode": "offline"}

    def _answer_llm(self, state: dict[str, Any]) -> dict[str, Any]:
        assert self._llm is not None
        on_text = state["on_text"]
        if on_text is None:
            draft = self._llm.answer(state["question"], state["passages"], state["history"])
        else:
            draft = self._llm.answer(state["question"], state["passages"], state["history"], on_text=on_text)
        return {**state, "draft": draft, "mode": "llm"}

    def _answer_fallback(self, state: dict[str, Any]) -> dict[str, Any]:
        error = state.get("error")
        logger.warning("LLM answer failed, using the offline answer: %s", type(error).__name__)
        reason = (
            str(error).splitlines()[0][:160] if error is not None and str(error) else type(error).__name__
        )
        notice = f"The LLM was unavailable ({reason}), so this is the offline answer."
        draft = self._offline.answer(
            state["question"], state["passages"], state["history"], query_vector=state["vector"]
        )
        return {**state, "draft": draft, "mode": "offline-fallback", "notice": notice}

    def _cost(self, draft: Draft) -> Decimal:
        if self._llm_cost is None or self._llm is None:
            return Decimal(0)
        return self._llm_cost(self._llm.model, draft.tokens_in, draft.tokens_out)

    def _fingerprint(self) -> str:
        answerer = f"llm:{self._llm.describe()}" if self._llm is not None else "offline"
        return f"{self._retriever.fingerprint()}|{self._price_fingerprint}|{answerer}"

    def _ms(self, since: float) -> float:
        return round((self._clock() - since) * 1000, 2)


def _unless_store_fails(doing: str, call: Callable[..., _T], *args: Any, **kwargs: Any) -> _T | None:
    """Run a cache, stats or memory call; if the database fails, log it and answer anyway (None)."""
    try:
        return call(*args, **kwargs)
    except (SQLAlchemyError, OSError):
        logger.exception("%s failed; answering without it", doing)
        return None
