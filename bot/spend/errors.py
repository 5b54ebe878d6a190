"""Errors about spend; each message is one line a person can act on and never holds a key."""


class SpendError(Exception):
    """Base class for every spend error."""


class InvalidSpendError(SpendError):
    """An amount, provider, month or day that cannot be recorded (negative, NaN, malformed)."""


class UnknownEntryError(SpendError):
    """No ledger entry has the id given."""


class SpendFileError(SpendError):
    """A spend file that cannot be imported; the message names the line (or JSON place) at fault."""


class PollError(SpendError):
    """A provider's cost endpoint could not be read (refused key, HTTP error, unexpected answer)."""
