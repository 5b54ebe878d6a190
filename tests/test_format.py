"""How calculations write numbers for people."""

from decimal import Decimal

import pytest

from bot.calculations.format import percent


@pytest.mark.parametrize(
    ("share", "shown"),
    [(Decimal("0.36"), "36%"), (Decimal("0.125"), "12.5%"), (Decimal(1) / 3, "33.33%"), (Decimal(1), "100%")],
)
def test_shares_are_shown_as_people_write_them(share: Decimal, shown: str) -> None:
    """A share prints as a percentage with at most two decimals, never a run of repeating digits."""
    assert percent(share) == shown
