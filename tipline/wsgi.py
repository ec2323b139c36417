"""The web process's entry point (the Procfile's ``web``: ``gunicorn tipline.wsgi:app``)."""

from tipline import create_app
from tipline.log import configure_logging

configure_logging()
app = create_app()
