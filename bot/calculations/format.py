"""How calculations write numbers: shared so every command reads alike."""

from decimal import Decimal


def rate(price_per_1k: Decimal) -> str:
    """A per-1K price to six decimals at most: $0.00625, $0.015."""
    return f"${price_per_1k.quantize(Decimal('0.000001')).normalize():f}"


def num(value: Decimal | float) -> str:
    """A plain number without trailing zeros or exponent: 30, 12.5, 0.36."""
    return f"{Decimal(str(value)).normalize():f}"


def percent(share: Decimal) -> str:
    """A 0-1 share as a percentage to two decimals at most: 0.36 -> 36%, a third -> 33.33%."""
    return f"{num((share * 100).quantize(Decimal('0.01')))}%"
