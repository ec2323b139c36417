"""tipline: a 24/7 bilingual telephony and triage backend for a confidential line.

``create_app`` shows the whole architecture: settings, the database, encryption, the clock, the job
dispatcher, the blueprints (Twilio webhooks, health) and the command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from functools import partial
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map


class DatabaseInt(IntegerConverter):
    """``<int:…>`` in routes, bounded to what an id column holds."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    from tipline import cli, console, errors, request_session
    from tipline.api.routes import api_bp
    from tipline.clock import SystemClock
    from tipline.config import Settings
    from tipline.crypto import DataCipher
    from tipline.db import Database
    from tipline.health import health_bp
    from tipline.ivr import scripts as ivr_scripts
    from tipline.runtime import Runtime
    from tipline.spool import Spool
    from tipline.webhooks.routes import twilio_bp
    from workers.dispatch import choose_dispatcher
    from workers.jobs import dispatch_committed_jobs

    options = dict(overrides or {})
    services = {name: options.pop(name) for name in ("clock", "dispatcher") if name in options}
    settings = Settings.from_env(**options).validated()

    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.url_map.converters["int"] = DatabaseInt  # an id past the database's integer range is a 404, not a 500
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),  # a console login lasts one long shift at most
    )
    app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
        app.wsgi_app,
        x_for=settings.proxy_hops,
        x_proto=settings.proxy_hops,
        x_host=settings.proxy_hops,
        x_port=settings.proxy_hops,
        x_prefix=settings.proxy_hops,
    )

    cipher = DataCipher(settings.data_keys)
    clock = services.get("clock") or SystemClock()
    dispatcher = services.get("dispatcher") or choose_dispatcher(app, settings, clock)
    database = Database(settings.database_url)
    database.on_commit(partial(dispatch_committed_jobs, dispatcher=dispatcher))
    Runtime(
        settings=settings,
        db=database,
        cipher=cipher,
        clock=clock,
        spool=Spool(settings.instance_path / "spool", cipher),
        dispatcher=dispatcher,
    ).init_app(app)

    ivr_scripts.init_app(app)  # refuses to start with a broken script
    request_session.init_app(app)
    errors.init_app(app)
    app.register_blueprint(health_bp)
    app.register_blueprint(twilio_bp)
    app.register_blueprint(api_bp)
    console.init_app(app, instance_path=settings.instance_path, timezone=settings.timezone)
    cli.init_app(app)
    return app
