"""Every setting tipline reads, declared once: name, type, default, and whether production requires it.

The embedded default (a SQLite ``DATABASE_URL``) needs nothing set: secrets are generated and kept under
``instance/``. Any other database means production, where missing or demo secrets stop the app at start.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.fernet import Fernet

DEMO_TWILIO_ACCOUNT_SID = "AC00000000000000000000000000000000"
DEMO_TWILIO_AUTH_TOKEN = "demo-auth-token-not-secret"  # noqa: S105 - a public demo value, refused in production
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The configuration cannot serve; the message names every problem."""


def _text(raw: str) -> str:
    return raw.strip()


def _int(raw: str) -> int:
    return int(raw.strip())


def _keys(raw: str) -> tuple[str, ...]:
    return tuple(key.strip() for key in raw.split(",") if key.strip())


def setting(
    env: str,
    default: Any = None,
    *,
    parse: Callable[[str], Any] = _text,
    production: bool = False,
    doc: str = "",
) -> Any:
    """Declare one setting: where it comes from, its parser, and whether production must set it."""
    return field(
        default=default,
        metadata={"env": env, "parse": parse, "production": production, "doc": doc},
    )


@dataclass(frozen=True)
class Settings:
    database_url: str = setting("DATABASE_URL", "", doc="SQLAlchemy URL; SQLite file under instance/")
    redis_url: str = setting("REDIS_URL", "", doc="Redis for rq; unset runs jobs in-process")
    public_url: str = setting("TIPLINE_PUBLIC_URL", "", doc="base URL Twilio calls")
    twilio_account_sid: str = setting("TWILIO_ACCOUNT_SID", "", production=True, doc="Twilio account")
    twilio_auth_token: str = setting("TWILIO_AUTH_TOKEN", "", production=True, doc="Twilio auth token")
    twilio_api_url: str = setting("TWILIO_API_URL", "", doc="Twilio REST base URL (tests: a local server)")
    phone_number: str = setting("TIPLINE_PHONE_NUMBER", "", doc="the line's own number")
    fallback_number: str = setting("TIPLINE_FALLBACK_NUMBER", "", doc="staffed number when the app can't")
    secret_key: str = setting("TIPLINE_SECRET_KEY", "", production=True, doc="session signing")
    data_keys: tuple[str, ...] = setting(
        "TIPLINE_DATA_KEYS", (), parse=_keys, production=True, doc="Fernet keys; first encrypts"
    )
    timezone: str = setting("TIPLINE_TIMEZONE", "America/Montreal", doc="the line's clock")
    port: int = setting("PORT", 5000, parse=_int, doc="port of `tipline run` and the web process")
    org_name_fr: str = setting("TIPLINE_ORG_NAME_FR", "le Service de police de la Ville de Montréal")
    org_name_en: str = setting("TIPLINE_ORG_NAME_EN", "the Montréal police service")
    instance_dir: str = setting("TIPLINE_INSTANCE_DIR", str(PROJECT_ROOT / "instance"))
    scripts_dir: str = setting("TIPLINE_SCRIPTS_DIR", str(PROJECT_ROOT / "ivr_scripts"))
    proxy_hops: int = setting("TIPLINE_PROXY_HOPS", 1, parse=_int, doc="trusted X-Forwarded-* hops")
    max_request_bytes: int = setting("TIPLINE_MAX_REQUEST_BYTES", 256 * 1024, parse=_int)
    job_queue_prefix: str = setting("TIPLINE_QUEUE_PREFIX", "tipline", doc="rq queue name prefix")

    @property
    def is_production(self) -> bool:
        return not self.database_url.startswith("sqlite")

    @property
    def callback_base_url(self) -> str:
        """Where Twilio sends status callbacks for what the line sends (outside of any request)."""
        return self.public_url.rstrip("/") or f"http://127.0.0.1:{self.port}"

    @property
    def instance_path(self) -> Path:
        return Path(self.instance_dir)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read every declared setting from ``env`` (default: the process environment)."""
        source = os.environ if env is None else env
        values: dict[str, Any] = {}
        problems: list[str] = []
        for spec in fields(cls):
            raw = source.get(spec.metadata["env"])
            if raw is None or raw.strip() == "":
                continue
            try:
                values[spec.name] = spec.metadata["parse"](raw)
            except ValueError:
                problems.append(f"{spec.metadata['env']} is not valid")
        if problems:
            raise ConfigError("; ".join(problems))
        values.update(overrides)
        settings = cls(**values)
        if not settings.database_url:
            db_file = settings.instance_path / "tipline.sqlite3"
            settings = _replace(settings, database_url=f"sqlite:///{db_file}")
        return settings

    def production_problems(self) -> list[str]:
        """What stops this configuration from serving in production (empty when it may start)."""
        problems = [
            f"{spec.metadata['env']} is required in production"
            for spec in fields(self)
            if spec.metadata["production"] and not getattr(self, spec.name)
        ]
        if self.twilio_auth_token == DEMO_TWILIO_AUTH_TOKEN:
            problems.append("TWILIO_AUTH_TOKEN is the demo value")
        if self.twilio_account_sid == DEMO_TWILIO_ACCOUNT_SID:
            problems.append("TWILIO_ACCOUNT_SID is the demo value")
        for key in self.data_keys:
            try:
                Fernet(key.encode())
            except ValueError:
                problems.append("TIPLINE_DATA_KEYS holds a key that is not a Fernet key")
                break
        if self.secret_key and len(self.secret_key) < 32:
            problems.append("TIPLINE_SECRET_KEY must be at least 32 characters")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append("TIPLINE_TIMEZONE is not a known time zone")
        return problems

    def validated(self) -> Settings:
        """Production: refuse to start on any problem. Embedded: fill what is missing with local secrets."""
        if self.is_production:
            problems = self.production_problems()
            if problems:
                raise ConfigError("tipline refuses to start: " + "; ".join(problems))
            return self
        return _with_embedded_secrets(self)


def _replace(settings: Settings, **changes: Any) -> Settings:
    values = {spec.name: getattr(settings, spec.name) for spec in fields(settings)}
    values.update(changes)
    return Settings(**values)


def _with_embedded_secrets(settings: Settings) -> Settings:
    """Generate (once) and reuse the embedded default's secrets, kept in ``instance/secrets.json``."""
    path = settings.instance_path / "secrets.json"
    stored: dict[str, Any] = {}
    if path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
    else:
        stored = {"secret_key": secrets.token_urlsafe(48), "data_keys": [Fernet.generate_key().decode()]}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stored), encoding="utf-8")
        path.chmod(0o600)
    return _replace(
        settings,
        secret_key=settings.secret_key or stored["secret_key"],
        data_keys=settings.data_keys or tuple(stored["data_keys"]),
        twilio_account_sid=settings.twilio_account_sid or DEMO_TWILIO_ACCOUNT_SID,
        twilio_auth_token=settings.twilio_auth_token or DEMO_TWILIO_AUTH_TOKEN,
        phone_number=settings.phone_number or "+15145550100",
    )
