"""Chunks and their vectors on disk, in Chroma: the only module that imports chromadb."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chromadb
import chromadb.config
import numpy as np
from chromadb.api.models.Collection import Collection

from knowledge.chunking import Chunk

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
        """
        self._client = chromadb.PersistentClient(
            path=str(data_dir / "chroma"),
            settings=chromadb.config.Settings(anonymized_telemetry=False),
        )
        self._collection = self._open_collection()

    def count(self) -> int:
        """Chunks stored."""
        return int(self._collection.count())

    def upsert(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]) -> None:
        """Store chunks with their vectors, replacing any with the same id."""
        if not chunks:
            return
        self._collection.upsert(
            ids=[chunk.id for chunk in chunks],
            embeddings=np.asarray(embeddings, dtype=np.float32),
            documents=[chunk.text for chunk in chunks],
            metadatas=[_metadata(chunk) for chunk in chunks],
        )

    def update_positions(self, chunks: Sequence[Chunk]) -> None:
        """Record new positions for chunks already stored, keeping their vectors."""
        if chunks:
            self._collection.update(ids=[c.id for c in chunks], metadatas=[_metadata(c) for c in chunks])

    def delete(self, ids: Sequence[str]) -> None:
        """Remove chunks by id; unknown ids are ignored."""
        if ids:
            self._collection.delete(ids=list(ids))

    def chunks(self) -> dict[str, Chunk]:
        """Every stored chunk, by id."""
        stored = self._collection.get(include=["documents", "metadatas"])
        documents = stored["documents"] or []
        metadatas = stored["metadatas"] or []
        return {
            chunk_id: _chunk(text, metadata)
            for chunk_id, text, metadata in zip(stored["ids"], documents, metadatas, strict=True)
        }

    def content_hashes(self) -> dict[str, str]:
        """Content hash of every stored chunk, by id."""
        stored = self._collection.get(include=["metadatas"])
        metadatas = stored["metadatas"] or []
        return {
            chunk_id: str(metadata["content_hash"])
            for chunk_id, metadata in zip(stored["ids"], metadatas, strict=True)
        }

    def query(self, embedding: Sequence[float], k: int) -> list[VectorHit]:
        """The ``k`` stored chunks nearest the vector, nearest first."""
        if k <= 0 or self.count() == 0:
            return []
        found = self._collection.query(
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
        self._collection.modify(metadata={**self.state(), **facts})

    def reset(self) -> None:
        """Delete every chunk and recorded fact, e.g. before storing vectors of another size."""
        self._client.delete_collection(COLLECTION)
        self._collection = self._open_collection()

    def _open_collection(self) -> Collection:
        return self._client.get_or_create_collection(
            COLLECTION,
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )


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
