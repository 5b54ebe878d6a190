"""Chunks and their vectors on disk, in Chroma: the only module that imports chromadb."""

import contextlib
import functools
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import chromadb
import chromadb.config
import numpy as np
from chromadb.api.models.Collection import Collection
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.errors import NotFoundError

from knowledge.chunking import Chunk
from knowledge.data_folder import StoreDamagedError, is_storage_fault

_P = ParamSpec("_P")
_R = TypeVar("_R")

COLLECTION = "passages"
"""The one collection the advisor keeps its chunks in."""


@dataclass(frozen=True)
class VectorHit:
    """A stored chunk found near a query vector."""

    chunk_id: str
    chunk: Chunk
    distance: float
    """Cosine distance to the query: 0 is the same direction, 2 the opposite."""


class ChunkStore:
    """Chunks with their vectors in a Chroma collection under ``data_dir / "chroma"``, by cosine distance.

    Vectors are always computed by the caller: the collection has no embedding function, so Chroma
    never loads (or downloads) a model of its own.
    """

    def __init__(self, data_dir: Path) -> None:
        """Open the store, creating the folder and the collection the first time.

        Args:
            data_dir: the advisor's data folder; Chroma's files go in its ``chroma`` subfolder.

        Raises:
            StoreDamagedError: Chroma's database is damaged (see `set_aside`).
        """
        self.folder = data_dir / "chroma"
        """Chroma's folder."""
        self._client, self._collection = self._open()

    def set_aside(self) -> Path:
        """Move a damaged store to ``chroma.damaged-<time>`` beside it and start an empty one; returns where."""
        aside = set_aside(self.folder.parent)
        self._client, self._collection = self._open()
        return aside

    def refresh(self) -> None:
        """Look the collection up again: another process may have replaced it (a new embedding model)."""
        self._collection = _guarded(self._client.get_or_create_collection)(
            COLLECTION, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )

    def _open(self) -> tuple[Any, Collection]:
        reason = damage(self.folder / "chroma.sqlite3")
        if reason is not None:
            raise StoreDamagedError(f"the knowledge index {self.folder}", reason)
        client = _guarded(chromadb.PersistentClient)(
            path=str(self.folder), settings=chromadb.config.Settings(anonymized_telemetry=False)
        )
        collection = _guarded(client.get_or_create_collection)(
            COLLECTION, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )
        return client, collection

    def _reopened(self, method: Callable[..., _R], *args: Any, **kwargs: Any) -> _R:
        """Call a collection method; if another process replaced the collection, look it up and retry once."""
        try:
            return _guarded(method)(*args, **kwargs)
        except NotFoundError:
            self.refresh()
            retry: Callable[..., _R] = getattr(self._collection, method.__name__)
            return _guarded(retry)(*args, **kwargs)

    def count(self) -> int:
        """Chunks stored."""
        return int(self._reopened(self._collection.count))

    def upsert(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]) -> None:
        """Store chunks with their vectors, replacing any with the same id."""
        if not chunks:
            return
        self._reopened(
            self._collection.upsert,
            ids=[chunk.id for chunk in chunks],
            embeddings=np.asarray(embeddings, dtype=np.float32),
            documents=[chunk.text for chunk in chunks],
            metadatas=[_metadata(chunk) for chunk in chunks],
        )

    def update_positions(self, chunks: Sequence[Chunk]) -> None:
        """Record new positions for chunks already stored, keeping their vectors."""
        if chunks:
            self._reopened(
                self._collection.update, ids=[c.id for c in chunks], metadatas=[_metadata(c) for c in chunks]
            )

    def delete(self, ids: Sequence[str]) -> None:
        """Remove chunks by id; unknown ids are ignored."""
        if ids:
            self._reopened(self._collection.delete, ids=list(ids))

    def chunks(self) -> dict[str, Chunk]:
        """Every stored chunk, by id."""
        stored = self._reopened(self._collection.get, include=["documents", "metadatas"])
        documents = stored["documents"] or []
        metadatas = stored["metadatas"] or []
        return {
            chunk_id: _chunk(text, metadata)
            for chunk_id, text, metadata in zip(stored["ids"], documents, metadatas, strict=True)
        }

    def content_hashes(self) -> dict[str, str]:
        """Content hash of every stored chunk, by id."""
        stored = self._reopened(self._collection.get, include=["metadatas"])
        metadatas = stored["metadatas"] or []
        return {
            chunk_id: str(metadata["content_hash"])
            for chunk_id, metadata in zip(stored["ids"], metadatas, strict=True)
        }

    def query(self, embedding: Sequence[float], k: int) -> list[VectorHit]:
        """The ``k`` stored chunks nearest the vector, nearest first."""
        if k <= 0 or self.count() == 0:
            return []
        found = self._reopened(
            self._collection.query,
            query_embeddings=np.asarray([embedding], dtype=np.float32),
            n_results=k,
            include=["documents", "metadatas", "distances"],
        )
        ids = found["ids"][0]
        documents = (found["documents"] or [[]])[0]
        metadatas = (found["metadatas"] or [[]])[0]
        distances = (found["distances"] or [[]])[0]
        return [
            VectorHit(chunk_id, _chunk(text, metadata), float(distance))
            for chunk_id, text, metadata, distance in zip(ids, documents, metadatas, distances, strict=True)
        ]

    def state(self) -> dict[str, str]:
        """Small string facts the index recorded on the collection (e.g. the guide's digest)."""
        return {key: str(value) for key, value in (self._collection.metadata or {}).items()}

    def record_state(self, **facts: str) -> None:
        """Record facts on the collection, keeping the ones not named."""
        self._reopened(self._collection.modify, metadata={**self.state(), **facts})

    def reset(self) -> None:
        """Delete every chunk and recorded fact, e.g. before storing vectors of another size."""
        with contextlib.suppress(NotFoundError):  # another process deleted it first
            _guarded(self._client.delete_collection)(COLLECTION)
        self.refresh()


def set_aside(data_dir: Path) -> Path:
    """Move the store under ``data_dir`` to ``chroma.damaged-<time>`` beside it; returns where it went."""
    folder = data_dir / "chroma"
    # Chroma keeps one open system per folder in the process; forget it, or the new store reuses it.
    system = SharedSystemClient._identifier_to_system.pop(str(folder), None)
    SharedSystemClient._identifier_to_refcount.pop(str(folder), None)
    if system is not None:
        with contextlib.suppress(Exception):
            system.stop()
    base = f"chroma.damaged-{time.strftime('%Y%m%d-%H%M%S')}"
    aside, copies = folder.with_name(base), 1
    while aside.exists():
        copies += 1
        aside = folder.with_name(f"{base}-{copies}")
    if folder.exists():
        folder.replace(aside)
    return aside


def damage(path: Path) -> str | None:
    """What SQLite says is wrong with Chroma's database file, or None when it is sound or absent."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as connection:
            problems = [str(row[0]) for row in connection.execute("PRAGMA quick_check(3)")]
    except sqlite3.OperationalError:
        return None  # busy or unreadable: not damage; Chroma reports it in its own words
    except sqlite3.DatabaseError as error:
        return str(error)
    if problems == ["ok"]:
        return None
    lines = [line.strip() for problem in problems for line in problem.splitlines()]
    return "; ".join(line for line in lines if line and not line.startswith("***"))[:200]


def _guarded(call: Callable[_P, _R]) -> Callable[_P, _R]:
    """``call``, with Chroma's reports of a damaged database raised as `StoreDamagedError`.

    Chroma's Rust core reports some damage by panicking, which Python sees as a BaseException.
    """

    @functools.wraps(call)
    def guarded(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return call(*args, **kwargs)
        except NotFoundError:
            raise
        except Exception as error:
            if is_storage_fault(error) or not _says_damaged(error):
                raise
            raise StoreDamagedError("the knowledge index", _first_line(error)) from error
        except BaseException as error:
            if type(error).__name__ != "PanicException":
                raise
            raise StoreDamagedError("the knowledge index", _first_line(error)) from error

    return guarded


_DAMAGE_WORDS = ("malformed", "not a database", "corrupt", "no such table", "hnsw")


def _says_damaged(error: BaseException) -> bool:
    text = str(error).lower()
    return type(error).__module__.startswith("chromadb") and any(word in text for word in _DAMAGE_WORDS)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return (text.splitlines()[0] if text else type(error).__name__)[:200]


def _metadata(chunk: Chunk) -> dict[str, str | int]:
    """What Chroma keeps beside a chunk's text; an absent subsection is left out (Chroma drops None)."""
    metadata: dict[str, str | int] = {
        "source": chunk.source,
        "section": chunk.section,
        "content_hash": chunk.content_hash,
        "position": chunk.position,
    }
    if chunk.subsection is not None:
        metadata["subsection"] = chunk.subsection
    return metadata


def _chunk(text: str | None, metadata: Mapping[str, Any] | None) -> Chunk:
    """Rebuild a chunk from what Chroma returns."""
    metadata = metadata or {}
    subsection = metadata.get("subsection")
    return Chunk(
        source=str(metadata["source"]),
        section=str(metadata["section"]),
        subsection=None if subsection is None else str(subsection),
        text=text or "",
        position=int(metadata["position"]),
    )
