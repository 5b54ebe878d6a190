"""What the advisor knows, kept current on disk and searchable by meaning, by keyword, or both.

One `KnowledgeIndex` is shared by every thread of the bot: the in-memory copies of the chunks and
the keyword index are built once under a lock and replaced whole, never changed in place, and
ingestion holds the same lock. An `advisor ingest` run by another process is noticed on the next
search (Chroma's database file changed) and the in-memory copies are read again.
"""

import hashlib
import logging
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from langchain_core.embeddings import Embeddings
from rank_bm25 import BM25Okapi
from tqdm import tqdm

from knowledge.chunking import (
    CHUNKER_VERSION,
    MAX_WORDS,
    SUPPORTED_SUFFIXES,
    Chunk,
    chunk_markdown,
    chunk_text_file,
)
from knowledge.data_folder import StoreDamagedError, file_lock
from knowledge.documents import DocumentShelf, KeptDocument, chunk_digest
from knowledge.errors import NoDocumentsError, RetrievalModeError, SourceNotFoundError, UnsupportedFileError
from knowledge.guide import GUIDE_SOURCE, guide_text
from knowledge.store import ChunkStore, set_aside
from knowledge.text import words as _tokens

logger = logging.getLogger(__name__)

RETRIEVAL_MODES = ("vector", "keyword", "hybrid")
"""Ways to search: embeddings in Chroma, BM25 over the chunk texts, or a blend of both scores."""

DEFAULT_RETRIEVAL = "hybrid"
"""The mode with the best hit@3 and MRR on tests/data/retrieval_questions.yml (see bench/retrieval.py)."""

HYBRID_VECTOR_WEIGHT = 0.5
"""Share of the vector score in a hybrid score; the rest is the keyword score."""

_EMBED_BATCH = 32


@dataclass(frozen=True)
class Passage:
    """A piece of the knowledge base that answers a query."""

    section: str
    """Top-level section title (e.g. "Cost Analysis Framework"), or the file name for plain text."""
    subsection: str | None
    """Sub-heading within the section, if any."""
    text: str
    """The passage, without its heading path."""
    score: float
    """Higher is better, 0 to 1. Vector: cosine similarity (below 0 shown as 0). Keyword: BM25 score
    over the best one for this query. Hybrid: the mean of the two, each rescaled so the best
    candidate scores 1 and the worst 0 (1 = best by meaning and by keywords)."""
    source: str
    """"guide" for the bundled guide, else the path of the file the user ingested."""
    chunk_id: str
    """The chunk's id in the store."""


@dataclass(frozen=True)
class IngestReport:
    """What one ingestion run did."""

    embedded: int
    """Chunks newly embedded."""
    unchanged: int
    """Chunks kept because their content hash did not change."""
    removed: int
    """Chunks dropped because their source changed or vanished."""
    total: int
    """Chunks in the index now."""
    seconds: float
    """Wall time of the run."""


@dataclass(frozen=True)
class _Snapshot:
    """The stored chunks as read at one moment, with what searching them needs."""

    chunks: dict[str, Chunk]
    keyword: "_KeywordIndex | None"
    """BM25 over the chunks; None in vector mode, which never needs it."""
    fingerprint: str
    store_version: tuple[int, int, int, int]
    """`_store_version` when the chunks were read: a different one means someone ingested since."""


class KnowledgeIndex:
    """The guide and the user's own notes, chunked, embedded once, and searched; safe to share between threads."""

    def __init__(
        self,
        data_dir: Path,
        embeddings: Embeddings,
        *,
        retrieval: str = DEFAULT_RETRIEVAL,
        max_words: int = MAX_WORDS,
    ) -> None:
        """Open the index kept in ``data_dir`` (nothing is embedded or read until needed).

        Args:
            data_dir: folder for the index; created if missing.
            embeddings: turns texts into vectors; its ``model_id`` (if it has one) is recorded so a
                different model re-embeds everything.
            retrieval: "vector", "keyword" or "hybrid".
            max_words: upper bound on a chunk's size, in words.

        Raises:
            RetrievalModeError: an unknown retrieval mode.
        """
        if retrieval not in RETRIEVAL_MODES:
            raise RetrievalModeError(
                f"unknown retrieval mode {retrieval!r}; use one of {', '.join(RETRIEVAL_MODES)}"
            )
        self.retrieval = retrieval
        self.max_words = max_words
        self._embeddings = embeddings
        self._model_id = str(getattr(embeddings, "model_id", type(embeddings).__qualname__))
        data_dir.mkdir(parents=True, exist_ok=True)
        self._data_dir = data_dir
        self._shelf = DocumentShelf(data_dir)
        self._database = data_dir / "chroma" / "chroma.sqlite3"
        self._lock = threading.RLock()
        self._locked_across_processes = False
        self._snapshot: _Snapshot | None = None
        self._damage: str | None = None
        """Why the store was set aside on opening, until the rebuild that follows says so in the log."""
        self._store = self._open_store()

    def rebuild(self, *, progress: bool = False) -> IngestReport:
        """Empty the index and build it again from the guide and the kept copies of your documents.

        Args:
            progress: show a progress bar on stderr while embedding.
        """
        with self._exclusive():
            started = time.perf_counter()
            try:
                self._store.reset()
            except StoreDamagedError:
                self._store.set_aside()
            self._forget()
            self._store.record_state(model_id=self._model_id)
            kept = self._shelf.documents()
            incoming = {GUIDE_SOURCE: chunk_markdown(guide_text(), GUIDE_SOURCE, max_words=self.max_words)}
            incoming |= {
                document.source: self._shelf.chunks(document, max_words=self.max_words)
                for document in kept.values()
            }
            report = self._sync(incoming, set(), progress, started, 0)
            self._store.record_state(guide_digest=self._guide_digest())
            return report

    @property
    def kept_documents(self) -> int:
        """How many of your documents are kept under the data folder for rebuilding."""
        return len(self._shelf.documents())

    def ingest_guide(self, *, progress: bool = False) -> IngestReport:
        """Bring the bundled guide's chunks up to date (source "guide").

        Args:
            progress: show a progress bar on stderr while embedding.
        """
        with self._exclusive():
            started = time.perf_counter()
            reembedded = self._adopt_model(progress)
            chunks = chunk_markdown(guide_text(), GUIDE_SOURCE, max_words=self.max_words)
            report = self._sync({GUIDE_SOURCE: chunks}, set(), progress, started, reembedded)
            self._store.record_state(guide_digest=self._guide_digest())
            return report

    def ingest(self, paths: Sequence[Path], *, progress: bool = False) -> IngestReport:
        """Add or refresh the user's .md and .txt files; a file's new chunks replace its old ones.

        Directories contribute the .md and .txt files beneath them. Files ingested earlier that no
        longer exist are dropped. Every path is checked before anything changes.

        Args:
            paths: files and directories.
            progress: show a progress bar on stderr while embedding.

        Raises:
            SourceNotFoundError: a path does not exist.
            UnsupportedFileError: a file is neither .md nor .txt.
            NoDocumentsError: a directory holds no .md or .txt file.
            UnreadableFileError: a file is not UTF-8 text.
        """
        started = time.perf_counter()
        files = _files_to_ingest(paths)
        named = {str(path.resolve()): path for path in files}
        incoming = {source: chunk_text_file(path, max_words=self.max_words) for source, path in named.items()}
        with self._exclusive():
            reembedded = self._adopt_model(progress)
            vanished = {
                chunk.source
                for chunk in self._stored().values()
                if chunk.source != GUIDE_SOURCE
                and chunk.source not in incoming
                and not Path(chunk.source).exists()
            }
            # Kept before anything is embedded: a run killed halfway is finished from the copies.
            for source, path in named.items():
                self._shelf.keep(source, path, incoming[source])
            report = self._sync(incoming, vanished, progress, started, reembedded)
            self._shelf.drop(vanished)
            return report

    def ensure_ready(self) -> None:
        """Ingest the guide if the index is empty, the guide changed, or the embedding model changed,
        and put back any of your kept documents the index lost (a lost, damaged or half-written index).
        """
        with self._exclusive():
            state = self._store.state()
            if (
                self._store.count() == 0
                or state.get("model_id") != self._model_id
                or state.get("guide_digest") != self._guide_digest()
            ):
                self.ingest_guide()
            restored = self._restore_documents()
            if self._damage is not None:
                logger.warning(
                    "The knowledge index %s was damaged (%s) and has been rebuilt from the guide and %d kept "
                    "documents of yours",
                    self._data_dir / "chroma",
                    self._damage,
                    len(self._shelf.documents()),
                )
                self._damage = None
            elif restored:
                logger.warning(
                    "The knowledge index had lost %d of your documents; they were added again from the copies "
                    "kept in %s",
                    restored,
                    self._shelf.folder,
                )

    def warm(self) -> None:
        """Do now the slow work the first search would do: read the chunks, build the keyword
        index, load the embedding model and Chroma's vector index. Call after `ensure_ready`."""
        snapshot = self._current()
        if self.retrieval != "keyword":
            self._store.query(self._embeddings.embed_query("warm up"), min(1, len(snapshot.chunks)))

    def search(self, query: str, k: int = 4, *, vector: Sequence[float] | None = None) -> list[Passage]:
        """The ``k`` passages that best answer ``query``, best first (fewer if the index is smaller).

        Args:
            query: The question, in words (keyword and hybrid modes rank its words).
            k: How many passages at most; 0 or less gives none.
            vector: The query's embedding if the caller already has it, so it is not computed
                again; ignored in keyword mode.
        """
        try:
            return self._search(query, k, vector)
        except StoreDamagedError as error:
            self._heal(error.reason)
            return self._search(query, k, vector)

    def fingerprint(self) -> str:
        """A digest that changes whenever the indexed chunks, the embedding model or the retrieval mode change."""
        try:
            return self._current().fingerprint
        except StoreDamagedError as error:
            self._heal(error.reason)
            return self._current().fingerprint

    def _search(self, query: str, k: int, vector: Sequence[float] | None) -> list[Passage]:
        snapshot = self._current()
        k = min(k, len(snapshot.chunks))
        if k <= 0:
            return []
        if self.retrieval == "keyword":
            return self._keyword_search(snapshot, query, k)
        query_vector = vector if vector is not None else self._embeddings.embed_query(query)
        if self.retrieval == "vector":
            return self._vector_search(query_vector, k)
        return self._hybrid_search(snapshot, query, query_vector, k)

    def _open_store(self) -> ChunkStore:
        """Open the store; a damaged one is set aside (once, across processes) for `ensure_ready` to rebuild."""
        try:
            if not self._database.exists():
                # Chroma creates its tables on first open, and two processes doing so at once collide.
                with file_lock(self._data_dir / "index.lock"):
                    return ChunkStore(self._data_dir)
            return ChunkStore(self._data_dir)
        except StoreDamagedError as error:
            with file_lock(self._data_dir / "index.lock"):
                try:
                    return ChunkStore(self._data_dir)  # another process may have healed it meanwhile
                except StoreDamagedError:
                    aside = set_aside(self._data_dir)
                    self._damage = f"{error.reason}; the damaged copy is kept as {aside.name}"
                    return ChunkStore(self._data_dir)

    def _heal(self, reason: str) -> None:
        """The store failed while in use: set it aside, rebuild it now, and say so in one log line."""
        with self._exclusive():
            self._forget()
            try:
                self._store.refresh()
                self._store.chunks()
            except StoreDamagedError:
                aside = self._store.set_aside()
                self._damage = f"{reason}; the damaged copy is kept as {aside.name}"
            self.ensure_ready()

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """This thread alone, and this process alone on the data folder, may change the index meanwhile.

        Another process may have replaced the collection while we waited, so it is looked up again.
        """
        with self._lock:
            if self._locked_across_processes:
                yield
                return
            with file_lock(self._data_dir / "index.lock"):
                self._locked_across_processes = True
                try:
                    self._store.refresh()
                    self._forget()
                    yield
                finally:
                    self._locked_across_processes = False

    def _restore_documents(self) -> int:
        """Re-add kept documents whose chunks in the index are not what was ingested; returns how many."""
        kept = self._shelf.documents()
        if not kept:
            return 0
        stored: dict[str, list[Chunk]] = {}
        for chunk in self._stored().values():
            stored.setdefault(chunk.source, []).append(chunk)
        missing: dict[str, list[Chunk]] = {}
        for document in kept.values():
            if chunk_digest(stored.get(document.source, [])) != self._expected_digest(document):
                missing[document.source] = self._shelf.chunks(document, max_words=self.max_words)
        if missing:
            self._sync(missing, set(), False, time.perf_counter(), 0)
        return len(missing)

    def _expected_digest(self, document: KeptDocument) -> str:
        return document.chunk_digest or chunk_digest(self._shelf.chunks(document, max_words=self.max_words))

    def _vector_search(self, vector: Sequence[float], k: int) -> list[Passage]:
        hits = self._store.query(vector, k)
        return [_passage(hit.chunk_id, hit.chunk, max(0.0, 1.0 - hit.distance)) for hit in hits]

    def _keyword_search(self, snapshot: _Snapshot, query: str, k: int) -> list[Passage]:
        assert snapshot.keyword is not None
        ranked = snapshot.keyword.rank(query)[:k]
        if not ranked:
            return []
        best = ranked[0][1]
        return [_passage(chunk_id, snapshot.chunks[chunk_id], score / best) for chunk_id, score in ranked]

    def _hybrid_search(
        self, snapshot: _Snapshot, query: str, query_vector: Sequence[float], k: int
    ) -> list[Passage]:
        """Both searches over a wider pool; each one's scores min-max normalised, then blended."""
        assert snapshot.keyword is not None
        depth = min(max(5 * k, 20), len(snapshot.chunks))
        hits = self._store.query(query_vector, depth)
        vector = _min_max({hit.chunk_id: 1.0 - hit.distance for hit in hits})
        keyword = _min_max(dict(snapshot.keyword.rank(query)[:depth]), floor=0.0)
        blended = {
            chunk_id: HYBRID_VECTOR_WEIGHT * vector.get(chunk_id, 0.0)
            + (1.0 - HYBRID_VECTOR_WEIGHT) * keyword.get(chunk_id, 0.0)
            for chunk_id in vector.keys() | keyword.keys()
        }
        chunks = {**snapshot.chunks, **{hit.chunk_id: hit.chunk for hit in hits}}
        ranked = sorted(blended.items(), key=lambda item: (-item[1], chunks[item[0]].position, item[0]))[:k]
        return [_passage(chunk_id, chunks[chunk_id], score) for chunk_id, score in ranked]

    def _current(self) -> _Snapshot:
        """The chunks as stored now: read once, and again after an ingestion here or in another process."""
        version = _store_version(self._database)
        snapshot = self._snapshot  # one read: another thread may replace it
        if snapshot is not None and snapshot.store_version == version:
            return snapshot
        with self._lock:
            snapshot = self._snapshot
            if snapshot is None or snapshot.store_version != version:
                # The version is taken before the read: a write in between only causes one more reload.
                chunks = self._store.chunks()
                keyword = _KeywordIndex(chunks) if self.retrieval != "vector" else None
                snapshot = _Snapshot(chunks, keyword, self._fingerprint(chunks), version)
                self._snapshot = snapshot
            return snapshot

    def _stored(self) -> dict[str, Chunk]:
        """Every stored chunk by id."""
        return self._current().chunks

    def _fingerprint(self, chunks: dict[str, Chunk]) -> str:
        digest = hashlib.sha256(f"{self._model_id}\n{self.retrieval}\n".encode())
        for chunk_id in sorted(chunks):
            digest.update(chunk_id.encode() + b"\n")
        return digest.hexdigest()

    def _guide_digest(self) -> str:
        """Changes with the guide's text and with anything that would cut it differently."""
        key = f"{CHUNKER_VERSION}\n{self.max_words}\n{guide_text()}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    def _adopt_model(self, progress: bool) -> int:
        """Re-embed every stored chunk if they were embedded by another model; returns how many."""
        if self._store.state().get("model_id") == self._model_id:
            return 0
        chunks = list(self._stored().values())
        self._store.reset()
        self._store.record_state(model_id=self._model_id)
        self._embed_and_store(chunks, progress)
        self._forget()
        return len(chunks)

    def _sync(
        self,
        incoming: dict[str, list[Chunk]],
        vanished: set[str],
        progress: bool,
        started: float,
        reembedded: int,
    ) -> IngestReport:
        """Make the store hold exactly ``incoming`` for those sources and nothing for ``vanished`` ones."""
        stored = self._stored()
        to_embed: list[Chunk] = []
        moved: list[Chunk] = []
        unchanged = 0
        for chunks in incoming.values():
            for chunk in chunks:
                kept = stored.get(chunk.id)
                if kept is None or kept.content_hash != chunk.content_hash:
                    to_embed.append(chunk)
                    continue
                unchanged += 1
                if kept.position != chunk.position:
                    moved.append(chunk)
        wanted = {chunk.id for chunks in incoming.values() for chunk in chunks}
        stale = [
            chunk_id
            for chunk_id, chunk in stored.items()
            if (chunk.source in incoming or chunk.source in vanished) and chunk_id not in wanted
        ]
        self._embed_and_store(to_embed, progress)
        self._store.update_positions(moved)
        self._store.delete(stale)
        self._forget()
        return IngestReport(
            embedded=reembedded + len(to_embed),
            unchanged=unchanged,
            removed=len(stale),
            total=self._store.count(),
            seconds=time.perf_counter() - started,
        )

    def _embed_and_store(self, chunks: list[Chunk], progress: bool) -> None:
        with tqdm(
            total=len(chunks),
            desc="Embedding",
            unit="chunk",
            file=sys.stderr,
            disable=not (progress and chunks),
        ) as bar:
            for start in range(0, len(chunks), _EMBED_BATCH):
                batch = chunks[start : start + _EMBED_BATCH]
                self._store.upsert(batch, self._embeddings.embed_documents([chunk.text for chunk in batch]))
                bar.update(len(batch))

    def _forget(self) -> None:
        """Drop the in-memory copies so the next search reads what is stored now."""
        with self._lock:
            self._snapshot = None


class _KeywordIndex:
    """BM25 over chunk texts (heading path included), lowercase word tokens."""

    def __init__(self, chunks: dict[str, Chunk]) -> None:
        self._ids = list(chunks)
        corpus = [_tokens(chunk.text) for chunk in chunks.values()]
        self._bm25 = BM25Okapi(corpus) if corpus else None

    def rank(self, query: str) -> list[tuple[str, float]]:
        """Chunk ids with a positive score for ``query``, best first."""
        tokens = _tokens(query)
        if self._bm25 is None or not tokens:
            return []
        scores = self._bm25.get_scores(tokens)
        ranked = sorted(
            zip(self._ids, (float(s) for s in scores), strict=True), key=lambda p: p[1], reverse=True
        )
        return [(chunk_id, score) for chunk_id, score in ranked if score > 0]


def _store_version(database: Path) -> tuple[int, int, int, int]:
    """Modification time and size of Chroma's SQLite file and its write-ahead log: a cheap
    (microseconds) sign that some process has written to the store since it was last read."""
    version: list[int] = []
    for path in (database, database.with_name(database.name + "-wal")):
        try:
            stat = path.stat()
        except OSError:
            version += [0, 0]
        else:
            version += [stat.st_mtime_ns, stat.st_size]
    return (version[0], version[1], version[2], version[3])


def _min_max(scores: dict[str, float], *, floor: float | None = None) -> dict[str, float]:
    """Scores rescaled so the best is 1 and the worst (or ``floor``) is 0; all 1 when they are equal."""
    if not scores:
        return {}
    high = max(scores.values())
    low = min(scores.values()) if floor is None else floor
    if high <= low:
        return dict.fromkeys(scores, 1.0)
    return {key: (score - low) / (high - low) for key, score in scores.items()}


def _passage(chunk_id: str, chunk: Chunk, score: float) -> Passage:
    return Passage(
        section=chunk.section,
        subsection=chunk.subsection,
        text=chunk.body,
        score=score,
        source=chunk.source,
        chunk_id=chunk_id,
    )


def _files_to_ingest(paths: Iterable[Path]) -> list[Path]:
    """The files named, and the .md/.txt files under directories named, checked before any work."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                candidate
                for candidate in path.rglob("*")
                if candidate.is_file()
                and candidate.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in candidate.relative_to(path).parts)
            )
            if not found:
                raise NoDocumentsError(f"{path}: no .md or .txt files in this directory")
            files.extend(found)
        elif not path.exists():
            raise SourceNotFoundError(f"{path}: no such file or directory")
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise UnsupportedFileError(
                f"{path}: cannot ingest {path.suffix or 'a file without suffix'}; use .md or .txt"
            )
        else:
            files.append(path)
    return files
