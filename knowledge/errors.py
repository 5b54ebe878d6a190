"""Errors the knowledge base raises; each message is one line a person can act on."""


class KnowledgeError(Exception):
    """Base class for every error about what the advisor knows or how it finds it."""


class SourceNotFoundError(KnowledgeError):
    """A file or directory given for ingestion does not exist."""


class UnsupportedFileError(KnowledgeError):
    """A file whose kind cannot be ingested (only .md and .txt can)."""


class UnreadableFileError(KnowledgeError):
    """A file that exists but cannot be read as UTF-8 text."""


class NoDocumentsError(KnowledgeError):
    """A directory given for ingestion holds no .md or .txt file."""


class EmbeddingModelError(KnowledgeError):
    """An embedding model setting that names neither the packaged model nor a local directory."""


class RetrievalModeError(KnowledgeError):
    """A retrieval mode other than vector, keyword or hybrid."""


class DataTableError(KnowledgeError):
    """A bundled data table is missing or breaks its schema."""


class UnknownModelError(KnowledgeError):
    """No price is known for the model named, in the guide's table or in genai-prices."""


class UnknownGpuError(KnowledgeError):
    """No rental price is known for the GPU named."""
