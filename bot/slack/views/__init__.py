"""Block Kit builders: pure functions from data to blocks; handlers only do I/O."""
