"""Settings, read from the environment with the prefix ``TAKEDOWN_``.

``Settings`` holds every server-side variable; ``ClientSettings`` the credentials that the
command line and the simulator's platform agent read as clients of the API, as secrets that no
repr and no log shows. docs/settings.md is generated from both (``make docs``), and
tests/test_docs.py fails when it is stale.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from takedown.errors import UserError

if TYPE_CHECKING:
    from takedown.checker import CheckerSettings
    from takedown.media.limits import MediaLimits

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
    """Every server-side setting: what `takedown serve`, `takedown worker` and the commands
    that open the database read. docs/settings.md is generated from these fields."""

    model_config = SettingsConfigDict(env_prefix="TAKEDOWN_", extra="ignore")

    data_dir: Path = Field(
        default=Path("./var"),
        description=(
            "Folder for the SQLite database (`takedown.db`), the job queue (`queue.db`) and "
            "evidence files (`evidence/`)."
        ),
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the database. Unset: SQLite at `DATA_DIR/takedown.db`. "
            "PostgreSQL: `postgresql+psycopg://user@host:5432/db`."
        ),
    )
    queue_url: str | None = Field(
        default=None,
        description=(
            "Job queue. Unset: SQLite at `DATA_DIR/queue.db`; `redis://host:6379/0` for Redis."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Address `takedown serve` listens on.")
    port: int = Field(default=8000, description="Port `takedown serve` listens on.")
    import_max_bytes: int = Field(
        default=1024**3,
        description=(
            "Largest file `takedown import` accepts; larger files are refused with a message "
            "saying so."
        ),
    )
    import_batch_size: int = Field(
        default=50_000,
        description=(
            "Rows per committed transaction during an import. Larger batches import faster: "
            "each transaction rewrites the index pages it touched, so fewer, larger ones write "
            "less (a million rows: about 10% faster at 50,000 than at 20,000). On SQLite a "
            "transaction holds the database's write lock, and other writes wait for it: about "
            "1 s per 50,000 rows on a quick 2-core machine, up to 3 s on a slow one. Lower it "
            "where people write (assess, answer) while big imports run; PostgreSQL has no such "
            "lock. A crash redoes at most one batch."
        ),
    )
    import_pipeline_from_bytes: int = Field(
        default=1024**2,
        description=(
            "Files at least this big are read and checked in a helper process while the "
            "importing process writes the batch before, so an import uses two cores; `0` does "
            "so for every file. Smaller files are checked in the importing process, where "
            "starting a helper would cost more than it saves. Machines with one core never "
            "start the helper."
        ),
    )
    api_max_reports: int = Field(
        default=10_000,
        description="Most reports one POST to the reports endpoint may carry (413 above).",
    )
    evidence_max_bytes: int = Field(
        default=200 * 1024**2,
        description=(
            "Largest evidence file accepted; also the largest file `takedown hash` and "
            "`takedown match` hash."
        ),
    )
    workers: int = Field(
        default=2,
        description=(
            "Job worker threads inside `takedown serve`; `0` runs none (then run "
            "`takedown worker`)."
        ),
    )
    delivery_backend: str = Field(
        default="real",
        description="`real` sends webhooks and email; `console` only logs what it would send.",
    )
    webhook_timeout: float = Field(default=10.0, description="Seconds one webhook POST may take.")
    webhook_max_attempts: int = Field(
        default=8,
        description=(
            "Failed attempts after which a delivery is dead-lettered and shown to operators."
        ),
    )
    webhook_backoff: float = Field(
        default=30.0,
        description="First retry delay in seconds; it doubles per attempt, with jitter.",
    )
    outbound_allow_networks: list[str] = Field(
        default_factory=list,
        description=(
            "Networks (JSON list of CIDRs) that webhook URLs may reach although they are not "
            'public, e.g. `["127.0.0.1/32"]` for a receiver on this machine. By default a '
            "webhook URL on a private, loopback, link-local or reserved address is refused "
            "when a unit's delivery is configured (an address in the URL) and at every "
            "delivery (the addresses its name resolves to); `serve` and `worker` read it. "
            "Redirects are never followed."
        ),
    )
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server for email delivery.")
    smtp_port: int = Field(default=25, description="SMTP port.")
    smtp_from: str = Field(
        default="takedown@localhost", description="Sender address of delivery emails."
    )
    smtp_starttls: bool = Field(default=False, description="Use STARTTLS with the SMTP server.")
    smtp_user: str | None = Field(default=None, description="SMTP login.")
    smtp_password: str | None = Field(default=None, description="SMTP password; never logged.")
    taxonomy_file: Path | None = Field(
        default=None,
        description=(
            "JSON file with the label taxonomy: `groups` (slugs, or objects with a `slug`) and "
            "`tiers`. Unset: the built-in `src/takedown/domain/taxonomy.json`, a dated "
            "snapshot of the groups on the EU terrorist list and (in part) on the UN ISIL "
            "(Da'esh) and Al-Qaida Sanctions List, with its sources; see "
            "[workflow.md](workflow.md#assessment)."
        ),
    )
    audit_key_file: Path | None = Field(
        default=None,
        description=(
            "File holding the key that signs audit-chain anchors with HMAC-SHA256 "
            "(`takedown audit anchor`, `takedown audit verify --anchor`). Keep it outside the "
            "database and its backups, readable by its owner only: a missing or empty file, a "
            "key under 16 bytes, or a file readable or writable by every user is refused. Make "
            "one with `head -c 32 /dev/urandom | base64 > audit.key; chmod 600 audit.key`. See "
            "[architecture.md](architecture.md#the-audit-chain-anchors-and-row-digests)."
        ),
    )
    answer_window_days: float = Field(
        default=7.0,
        gt=0,
        description=(
            "Days a platform has to answer a referral. Past that, the job queue closes the "
            "referral and its items without a final answer count as `unanswered` (a removal "
            "order may then follow). Must be above 0."
        ),
    )
    recheck_every_minutes: int = Field(
        default=10,
        description=(
            "How often the job queue looks for items whose scheduled recheck is due (+1 h, "
            "+6 h, +24 h after referral, daily to 30 days, then weekly); `0` disables "
            "automatic rechecks."
        ),
    )
    checker_allow_networks: list[str] = Field(
        default_factory=list,
        description=(
            "Networks (JSON list of CIDRs) the checker may reach although they are not "
            'public, e.g. `["127.0.0.1/32"]` for the simulator. By default the checker '
            "refuses private, loopback, link-local and reserved addresses. `takedown check` "
            "and `takedown verify` read it too (`--allow-network` replaces it)."
        ),
    )
    checker_connect_to: list[str] = Field(
        default_factory=list,
        description=(
            "curl-style `HOST:PORT:ADDR:PORT2` rules (JSON list) for the checker; the guard "
            "still vets `ADDR`. `--connect-to` replaces them for one command."
        ),
    )
    checker_proxy: str | None = Field(
        default=None,
        description=(
            "Egress proxy for the checker (`http://`, `https://` or `socks5://`), in the job "
            "queue and in `takedown check` and `takedown verify` alike (`--proxy` replaces it)."
        ),
    )
    checker_user_agent: str | None = Field(
        default=None,
        description=(
            "User-Agent of the checker; the default names takedown. `--user-agent` replaces it."
        ),
    )
    log_level: str = Field(default="info", description="Log level: debug, info, warning, error.")
    auth_failure_limit: int = Field(
        default=20,
        gt=0,
        description=(
            "Failed authentications (an unknown, expired or revoked token; a missing one does "
            "not count) per client address and window; past it, every request of that address "
            "that needs a token gets `429` with `Retry-After` until the window ends. Counted "
            "where `TAKEDOWN_THROTTLE_URL` says (the database by default), so every "
            "`takedown serve` on it shares the count."
        ),
    )
    auth_failure_window: int = Field(
        default=60,
        gt=0,
        description=(
            "Seconds of one window of `TAKEDOWN_AUTH_FAILURE_LIMIT` (fixed windows, aligned to "
            "the clock)."
        ),
    )
    max_body_bytes: int = Field(
        default=1024**2,
        gt=0,
        description=(
            "Largest request body of any route without its own cap. A `Content-Length` over "
            "the cap is refused with `413` before the body is read (and before the token is "
            "checked); a body without one (chunked) is counted as it arrives and refused once "
            "over. See [operations.md](operations.md#request-limits)."
        ),
    )
    max_report_batch_bytes: int | None = Field(
        default=None,
        gt=0,
        description=(
            "Largest body of one `POST /api/v1/operations/{op}/reports`. Unset: "
            "`TAKEDOWN_API_MAX_REPORTS` × 16 KiB (160 MiB at the default): a report at its URL "
            "(8 KiB) and title limits with the short fields, as JSON; a batch may spend it "
            "unevenly. A body over `TAKEDOWN_MAX_BODY_BYTES` is read only from a caller with a "
            "valid token. An evidence upload (`POST /api/v1/items/{id}/evidence`) is capped at "
            "`TAKEDOWN_EVIDENCE_MAX_BYTES` plus 64 KiB of multipart framing."
        ),
    )
    max_header_bytes: int = Field(
        default=32 * 1024,
        gt=0,
        description=(
            "Most bytes of one request's line and headers; more is answered `431` and the "
            "connection closed. Counted as the bytes arrive, so a huge header is never held in "
            "memory."
        ),
    )
    header_timeout: float = Field(
        default=10.0,
        gt=0,
        description=(
            "Seconds a client has to send a request's line and headers, from its first byte "
            "(from the connection's start for the first request); a slower one gets `408` and "
            "the connection is closed."
        ),
    )
    throttle_url: str | None = Field(
        default=None,
        description=(
            "Where the failed authentications of `TAKEDOWN_AUTH_FAILURE_LIMIT` are counted. "
            "Unset (or empty): in the database (table `auth_failures`), which every "
            "`takedown serve` on it shares. `redis://host:6379/0` (also `rediss://`, "
            "`unix://`): in Redis, for web nodes that should not write to the database for "
            "each failure; a key per client address and window, "
            "`takedown:auth-failures:<window>:<start>:<address>` (the address in clear, as in "
            "the table and the log), which expires a second after its window ends. It does not "
            "follow `TAKEDOWN_QUEUE_URL`: the queue's Redis is named for the queue, and moving "
            "the counts there would change how an outage behaves, so set both when you want "
            "both in one Redis (a different database number keeps them apart). Redis that does "
            "not answer within 1 s fails open: failures are not counted and no one gets `429` "
            "until it answers again; a request is never refused with `500` for it, and a "
            "warning (`takedown.services.throttle`, at most one a minute, with the URL's host "
            "and database but never its password) says so. Any other URL stops `takedown` at "
            "start with an error naming this setting."
        ),
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description=(
            'Reverse proxies (JSON list of CIDRs, e.g. `["10.0.0.0/8"]`) whose '
            "`X-Forwarded-For` names the client: the right-most address in it that is not a "
            "trusted proxy is the client (for the failure limit and the access log). Empty: "
            "the client is the socket's address and `X-Forwarded-For` is ignored."
        ),
    )
    media_max_pixels: int = Field(
        default=100_000_000,
        gt=0,
        description=(
            "Most pixels an image header or a video frame may claim; more is refused as a "
            "decompression bomb. Read where media is hashed: `takedown hash`, `takedown match` "
            "and evidence matching in the job queue (see [media.md](media.md#limits))."
        ),
    )
    media_video_fps: float = Field(
        default=1.0, gt=0, description="Video frames hashed per second of video."
    )
    media_max_video_frames: int = Field(
        default=3600,
        gt=0,
        description=(
            "Most frames hashed per video; a longer video is hashed that far and marked "
            "`truncated`."
        ),
    )
    media_numba: bool = Field(
        default=True,
        description=(
            "`false` (or `0`): the PDQ index never uses its compiled (numba) search loop, only "
            "numpy."
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

    def media_limits(self) -> MediaLimits:
        """The limits of hashing: the ``media_*`` fields, and the evidence size limit as the
        largest file hashed."""
        from takedown.media.limits import MediaLimits

        return MediaLimits(
            max_bytes=self.evidence_max_bytes,
            max_pixels=self.media_max_pixels,
            video_fps=self.media_video_fps,
            max_video_frames=self.media_max_video_frames,
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


class ClientSettings(BaseSettings):
    """What a client of takedown's API reads: the command line's workflow commands and
    `takedown simulate-platform`. Each secret is a ``SecretStr``, shown as ``**********``."""

    model_config = SettingsConfigDict(env_prefix="TAKEDOWN_", extra="ignore")

    token: SecretStr | None = Field(
        default=None,
        description=(
            "The API token the workflow commands (`takedown assess`, `hold`, `refer`, `order`, "
            "`platform` …: every command with `--token`) act with, instead of `--token` (a "
            "command line is visible to other users of the machine)."
        ),
    )
    platform_token: SecretStr | None = Field(
        default=None,
        description=(
            "The platform agent's API token for `takedown simulate-platform`, instead of `--token`."
        ),
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description=(
            "The platform unit's webhook signing secret for `takedown simulate-platform "
            "--webhook`, instead of `--webhook-secret`."
        ),
    )
    debug: bool = Field(
        default=False,
        description=(
            "`1`: an internal error (a bug) in any command prints its traceback instead of one "
            "line."
        ),
    )

    @field_validator("debug", mode="before")
    @classmethod
    def _any_word_but_no_is_yes(cls, value: object) -> object:
        # A switch typed by hand while something already went wrong: never an error itself.
        if isinstance(value, str):
            return value.strip().lower() not in ("", "0", "false", "no", "off")
        return value

    def secret(self, name: str) -> str | None:
        """The value of secret ``name`` (``token``, ``platform_token``, ``webhook_secret``),
        or None when it is unset or empty."""
        value = getattr(self, name)
        if not isinstance(value, SecretStr):
            return None
        return value.get_secret_value() or None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
