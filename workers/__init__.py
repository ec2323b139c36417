"""Background work: the ``@job`` decorator, the dispatchers that wake workers, and the sweeper."""
