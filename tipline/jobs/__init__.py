"""Background jobs recorded in the database: the row is the truth, Redis only a way to wake a worker."""
