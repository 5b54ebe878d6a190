"""User-level calculations: defaults from the guide's framework, calculators, and every assumption.

The CLI, the answer chain's tools and Slack all call these, so a number reads the same wherever
the user meets it.
"""

from bot.calculations.record import Assumption, Calculation, Figure

__all__ = ["Assumption", "Calculation", "Figure"]
