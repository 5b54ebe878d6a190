"""The data folder the advisor writes to: checked once before use, and its faults told in one line.

Everything the advisor keeps (the index, the documents you ingested, the database) lives in one
folder. A folder that is a file, read-only or full is reported before anything else is tried, and
a storage error raised later by SQLite or Chroma is turned into the same kind of line.
"""

import errno
import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from knowledge.errors import KnowledgeError

PROBE_BYTES = 4096
"""Written and synced once when the folder is opened: a full disk fails here, not mid-answer."""


class DataFolderError(KnowledgeError):
    """The data folder cannot be used: not a folder, not creatable, read-only or full."""


class StoreDamagedError(KnowledgeError):
    """A file the advisor keeps is damaged and could not be rebuilt on the spot."""

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(f"{what} is damaged ({reason})")
        self.reason = reason
        """What the storage engine said, e.g. "database disk image is malformed"."""


def usable_data_folder(path: Path) -> Path:
    """Create ``path`` if missing and prove the advisor can write to it.

    Raises:
        DataFolderError: ``path`` (or a parent) is a file, or the folder is read-only or full.
    """
    if path.exists() and not path.is_dir():
        raise DataFolderError(
            f"the data folder {path} is a file, not a folder: move the file away or set ADVISOR_DATA_DIR "
            "to a folder"
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".write-probe-{os.getpid()}-{threading.get_ident()}"
        try:
            descriptor = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(descriptor, b"\0" * PROBE_BYTES)
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        finally:
            probe.unlink(missing_ok=True)
    except OSError as error:
        raise DataFolderError(storage_message(error, path)) from error
    return path


def storage_message(error: BaseException, where: Path | str | None = None) -> str:
    """One line saying what is wrong with the storage behind ``error`` and what to do about it."""
    place = f"the data folder {where}" if where is not None else "the data folder"
    text = str(error)
    code = error.errno if isinstance(error, OSError) else None
    if code in (errno.ENOSPC, errno.EDQUOT) or "disk is full" in text or "No space left" in text:
        return (
            f"{place} is full ({_reason(error)}): free some space or set ADVISOR_DATA_DIR to another folder"
        )
    if (
        code in (errno.EROFS, errno.EACCES, errno.EPERM)
        or "readonly" in text
        or "read-only" in text.lower()
        or "Permission denied" in text
    ):
        return (
            f"{place} is read-only ({_reason(error)}): make it writable or set ADVISOR_DATA_DIR to "
            "another folder"
        )
    if code in (errno.ENOTDIR, errno.EEXIST) or "Not a directory" in text:
        return (
            f"{place} is not a folder ({_reason(error)}): a file is in the way; move it or set "
            "ADVISOR_DATA_DIR to a folder"
        )
    return f"{place} cannot be used ({_reason(error)})"


def is_storage_fault(error: BaseException) -> bool:
    """True when ``error`` says the disk is full, read-only, or a file is where a folder should be."""
    return storage_message(error).split(" (", 1)[0] != "the data folder cannot be used"


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return first[:200]


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing) across processes; not reentrant."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
