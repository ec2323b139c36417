"""Who is asking: staff identified by an API token (integrations) or a console login, and what they may do."""
