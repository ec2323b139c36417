"""Cases: what dispatchers work — priority, categories, status, region, assignee, reference code."""
