"""Settings, read from the environment with the prefix ``TAKEDOWN_``.

Every field here is documented in docs/settings.md; tests/test_docs.py fails when one is not.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from takedown.errors import UserError

if TYPE_CHECKING:
    from takedown.checker import CheckerSettings

# The body budget of one report in a batch: a URL at its 8 KiB limit, a title at its 2,000
# characters and the short fields, as JSON. A batch may spend it unevenly: a few reports with
# long text and notes (100,000 characters each at most) among short ones.
REPORT_ROW_BYTES = 16 * 1024

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def throttle_url(url: str | None) -> str | None:
    """``TAKEDOWN_THROTTLE_URL`` as given, None when unset or empty. Anything but a Redis URL
    is a UserError naming the setting and the URL's scheme, never the rest (a password)."""
    if url is None or not url.strip():
        return None
    url = url.strip()
    if not url.lower().startswith(REDIS_SCHEMES):
        scheme = re.match(r"[A-Za-z][A-Za-z0-9+.-]{0,19}://", url)
        what = f"a {scheme[0]} URL, not Redis" if scheme else "not a URL"
        raise UserError(
            f"TAKEDOWN_THROTTLE_URL is {what}: use redis://host:6379/0 (or rediss://, "
            "unix://), or leave it unset to count failed authentications in the database"
        )
    return url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TAKEDOWN_", extra="ignore")

    data_dir: Path = Field(
        default=Path("./var"),
        description="Folder for the SQLite database, the job queue and evidence files.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the database. Unset: SQLite at DATA_DIR/takedown.db. "
            "PostgreSQL: postgresql+psycopg://user@host:5432/db."
        ),
    )
    queue_url: str | None = Field(
        default=None,
        description="Job queue. Unset: SQLite at DATA_DIR/queue.db. redis://host:6379/0 for Redis.",
    )
    host: str = Field(default="127.0.0.1", description="Address `takedown serve` listens on.")
    port: int = Field(default=8000, description="Port `takedown serve` listens on.")
    import_max_bytes: int = Field(
        default=1024**3,
        description="Largest file `takedown import` accepts, in bytes (default 1 GiB).",
    )
    import_batch_size: int = Field(
        default=50_000,
        description="Rows per committed transaction during an import.",
    )
    import_pipeline_from_bytes: int = Field(
        default=1024**2,
        description=(
            "Files at least this big are read and checked in a helper process while the import"
            " writes (two cores at work); 0 always does so. Needs two or more CPU cores."
        ),
    )
    api_max_reports: int = Field(
        default=10_000,
        description="Most reports one POST to the reports endpoint may carry.",
    )
    evidence_max_bytes: int = Field(
        default=200 * 1024**2,
        description="Largest evidence file accepted, in bytes (default 200 MiB).",
    )
    workers: int = Field(
        default=2,
        description="Job worker threads inside `takedown serve` (0: run none; use `takedown worker`).",
    )
    delivery_backend: str = Field(
        default="real",
        description="`real` sends webhooks and email; `console` only logs what it would send.",
    )
    webhook_timeout: float = Field(default=10.0, description="Seconds one webhook POST may take.")
    webhook_max_attempts: int = Field(
        default=8,
        description="Failed attempts after which a delivery is dead-lettered for an operator.",
    )
    webhook_backoff: float = Field(
        default=30.0,
        description="First retry delay in seconds; doubles per attempt, with jitter.",
    )
    outbound_allow_networks: list[str] = Field(
        default_factory=list,
        description=(
            "Networks (CIDR, JSON list) that webhook URLs may reach although not public, e.g. "
            '["127.0.0.1/32"] for a receiver on this machine. Default: public addresses only.'
        ),
    )
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server for email delivery.")
    smtp_port: int = Field(default=25, description="SMTP port.")
    smtp_from: str = Field(
        default="takedown@localhost", description="Sender address of delivery emails."
    )
    smtp_starttls: bool = Field(default=False, description="Use STARTTLS with the SMTP server.")
    smtp_user: str | None = Field(default=None, description="SMTP login (optional).")
    smtp_password: str | None = Field(
        default=None, description="SMTP password (optional; never logged)."
    )
    taxonomy_file: Path | None = Field(
        default=None,
        description="JSON file with the label taxonomy (`groups`, `tiers`); default built in.",
    )
    audit_key_file: Path | None = Field(
        default=None,
        description=(
            "File holding the key that signs audit-chain anchors (HMAC-SHA256), outside the "
            "database; readable by its owner only."
        ),
    )
    answer_window_days: float = Field(
        default=7.0,
        gt=0,
        description=(
            "Days a platform has to answer a referral: after that the referral closes and its "
            "unanswered items count as `unanswered` (an order may then follow)."
        ),
    )
    recheck_every_minutes: int = Field(
        default=10,
        description=(
            "How often the job queue looks for items whose scheduled recheck is due "
            "(+1 h, +6 h, +24 h, daily to 30 days, weekly); 0 disables automatic rechecks."
        ),
    )
    checker_allow_networks: list[str] = Field(
        default_factory=list,
        description=(
            "Networks (CIDR, JSON list) the checker may reach although not public, e.g. "
            '["127.0.0.1/32"] for the simulator. Default: public addresses only.'
        ),
    )
    checker_connect_to: list[str] = Field(
        default_factory=list,
        description="curl-style HOST:PORT:ADDR:PORT2 rules for the checker (JSON list).",
    )
    checker_proxy: str | None = Field(
        default=None, description="Egress proxy for the checker (http://, https:// or socks5://)."
    )
    checker_user_agent: str | None = Field(
        default=None, description="User-Agent of the checker (default names takedown)."
    )
    log_level: str = Field(default="info", description="Log level: debug, info, warning, error.")
    auth_failure_limit: int = Field(
        default=20,
        gt=0,
        description="Failed authentications per client address and window before 429.",
    )
    auth_failure_window: int = Field(
        default=60,
        gt=0,
        description="Seconds of one window of the failed-authentication limit.",
    )
    max_body_bytes: int = Field(
        default=1024**2,
        gt=0,
        description="Largest request body, in bytes, of any route without its own cap (1 MiB).",
    )
    max_report_batch_bytes: int | None = Field(
        default=None,
        gt=0,
        description=(
            "Largest body of one POST of reports, in bytes. Unset: API_MAX_REPORTS × 16 KiB "
            "(160 MiB at the default)."
        ),
    )
    max_header_bytes: int = Field(
        default=32 * 1024,
        gt=0,
        description="Most bytes of request line and headers one request may send (32 KiB).",
    )
    header_timeout: float = Field(
        default=10.0,
        gt=0,
        description="Seconds a client has to send a request's line and headers.",
    )
    throttle_url: str | None = Field(
        default=None,
        description=(
            "Where failed authentications are counted. Unset: the database. "
            "redis://host:6379/0 for Redis."
        ),
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description=(
            "Reverse proxies (JSON list of CIDRs) whose X-Forwarded-For names the client. "
            "Default: none; the client is the socket's address."
        ),
    )

    @field_validator("throttle_url")
    @classmethod
    def _throttle_url_is_redis(cls, url: str | None) -> str | None:
        # A UserError, not a ValueError: pydantic would echo the value, password and all.
        return throttle_url(url)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'takedown.db').resolve()}"

    @property
    def resolved_queue_url(self) -> str:
        return self.queue_url or f"sqlite:///{(self.data_dir / 'queue.db').resolve()}"

    def checker_settings(self) -> CheckerSettings:
        from takedown.checker import CheckerSettings

        base = CheckerSettings()
        return CheckerSettings(
            allow_networks=tuple(self.checker_allow_networks),
            connect_to=tuple(self.checker_connect_to),
            proxy=self.checker_proxy,
            user_agent=self.checker_user_agent or base.user_agent,
        )

    @property
    def report_batch_max_bytes(self) -> int:
        """The cap on one report batch's body: the setting, or API_MAX_REPORTS rows of
        REPORT_ROW_BYTES each."""
        if self.max_report_batch_bytes is not None:
            return self.max_report_batch_bytes
        return self.api_max_reports * REPORT_ROW_BYTES

    @property
    def answer_window(self) -> timedelta:
        return timedelta(days=self.answer_window_days)

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
