"""Copies of the documents you ingested, kept under the data folder so the index can always be rebuilt.

The index is derivable: the guide ships with the advisor, and every file you ingest is copied to
``documents/`` (under its own name, in a folder named after its path) before anything is embedded.
If the index is lost or damaged, or killed halfway through an ingestion, it is rebuilt from these
copies, even when the originals have moved. ``manifest.json`` lists each copy with the digest of the
chunk ids it should have in the index; it is replaced whole (write, then rename), never half written.
"""

import hashlib
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from knowledge.chunking import Chunk, chunk_text_file

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class KeptDocument:
    """One ingested document as kept on the shelf."""

    source: str
    """The path it was ingested from (what search results name)."""
    copy: Path
    """The kept copy."""
    chunk_digest: str
    """Digest of the chunk ids it had when ingested: differs from the index's when the index lost it."""


class DocumentShelf:
    """The kept copies under ``data_dir / "documents"``; one process writes at a time (the index's lock)."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / "documents"

    def documents(self) -> dict[str, KeptDocument]:
        """Every kept document by source; a copy that has gone missing is left out."""
        try:
            entries = json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            # A manifest that cannot be read lists nothing; the copies themselves are still there.
            return self._rediscovered()
        kept = {
            source: KeptDocument(source, self.folder / entry["copy"], str(entry["chunks"]))
            for source, entry in entries.items()
        }
        return {source: document for source, document in kept.items() if document.copy.is_file()}

    def keep(self, source: str, path: Path, chunks: list[Chunk]) -> None:
        """Copy ``path`` onto the shelf as ``source``, replacing any earlier copy of it."""
        copy = self.folder / _folder_name(source) / path.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        temporary = copy.with_name(copy.name + ".partial")
        temporary.write_bytes(path.read_bytes())
        temporary.replace(copy)
        entries = self._entries()
        entries[source] = {
            "copy": str(copy.relative_to(self.folder)),
            "chunks": chunk_digest(chunks),
            "kept_at": time.time(),
        }
        self._write(entries)

    def drop(self, sources: Iterable[str]) -> None:
        """Forget the copies of ``sources`` (their originals are gone and their chunks removed)."""
        entries = self._entries()
        for source in sources:
            entry = entries.pop(source, None)
            if entry is not None:
                (self.folder / str(entry["copy"])).unlink(missing_ok=True)
        self._write(entries)

    def chunks(self, document: KeptDocument, *, max_words: int) -> list[Chunk]:
        """The kept copy cut into chunks exactly as its original was."""
        return chunk_text_file(document.copy, source=document.source, max_words=max_words)

    def _entries(self) -> dict[str, dict[str, object]]:
        try:
            entries: dict[str, dict[str, object]] = json.loads(
                (self.folder / MANIFEST).read_text(encoding="utf-8")
            )
        except (OSError, ValueError):
            return {}
        return entries

    def _write(self, entries: dict[str, dict[str, object]]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f"{MANIFEST}.{os.getpid()}.partial"
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(entries, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self.folder / MANIFEST)

    def _rediscovered(self) -> dict[str, KeptDocument]:
        """Without a readable manifest: the copies, under their own paths (their original path is unknown)."""
        return {
            str(copy): KeptDocument(str(copy), copy, "")
            for copy in sorted(self.folder.glob("*/*"))
            if copy.is_file() and not copy.name.endswith(".partial")
        }


def chunk_digest(chunks: Iterable[Chunk]) -> str:
    """A digest of chunk ids: equal for a document exactly as stored in the index."""
    digest = hashlib.sha256()
    for chunk_id in sorted(chunk.id for chunk in chunks):
        digest.update(chunk_id.encode() + b"\n")
    return digest.hexdigest()


def _folder_name(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()[:16]
