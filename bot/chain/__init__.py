"""The answer chain: retrieval, then the LLM with calculator tools or the offline answerer."""
