"""Build the heavy parts from settings, once, when a command or the bot first needs them."""

from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from knowledge.index import KnowledgeIndex


def open_index(settings: Settings) -> "KnowledgeIndex":
    """The knowledge index under the data folder, with the configured embedding model.

    Imports sentence-transformers and Chroma, so calculator-only paths never call it.
    """
    from knowledge.embeddings import SentenceTransformerEmbeddings
    from knowledge.index import KnowledgeIndex

    return KnowledgeIndex(
        settings.data_dir,
        SentenceTransformerEmbeddings(settings.advisor_embedding_model),
        retrieval=settings.advisor_retrieval,
    )
