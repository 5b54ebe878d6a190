"""AI spend: the ledger, what imports and pollers bring into it, and month-to-date summaries."""
