"""Exact, pure arithmetic for the advisor: tokens, API cost, self-hosted cost, break-even, phases.

Nothing here reads a file, the clock or the environment. Prices, rates and thresholds are
arguments; money is `Decimal`.
"""
