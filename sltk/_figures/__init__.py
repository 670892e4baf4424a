"""Figure recipes, one module per model (``plrf``, ``laws``, ...)."""
