"""Anonymous aggregate figures for research (action 5.1): counts and answer times, never a person."""
