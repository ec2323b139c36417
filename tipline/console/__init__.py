"""The dispatcher, ÉSUP and supervisor web console at ``/console/``: server-rendered pages, French first.

One module per page (``views_*``); what they read and do on cases is in ``casework``; hooks for services other
packages provide are in ``integration``.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from . import i18n


def init_app(app: Flask, *, instance_path: Path, timezone: str) -> None:
    import tipline.auth.console_session  # noqa: F401 - registers the login session as a way to identify people

    from . import views_auth, views_case, views_esup, views_figures, views_queue, views_roster  # noqa: F401
    from .blueprint import console_bp

    i18n.init_app(app, instance_path, timezone)
    app.register_blueprint(console_bp)
