"""Guards shared by the calculators: every public function checks its inputs with these."""

from decimal import Decimal

from calculators.errors import InvalidInputError


def non_negative(name: str, value: Decimal) -> Decimal:
    """Return `value`, or raise if it is below zero."""
    if value < 0:
        raise InvalidInputError(f"{name} cannot be negative (got {value})")
    return value


def positive(name: str, value: Decimal) -> Decimal:
    """Return `value`, or raise if it is zero or below."""
    if value <= 0:
        raise InvalidInputError(f"{name} must be greater than zero (got {value})")
    return value


def share(name: str, value: Decimal) -> Decimal:
    """Return `value` if it is a share between 0 and 1 (0% to 100%), else raise."""
    if not Decimal(0) <= value <= Decimal(1):
        raise InvalidInputError(f"{name} must be between 0% and 100% (got {value * 100}%)")
    return value
