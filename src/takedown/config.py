"""Settings, read from the environment with the prefix ``TAKEDOWN_``.

Every field here is documented in docs/settings.md; tests/test_docs.py fails when one is not.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
        default=5000,
        description="Rows per committed transaction during an import.",
    )
    api_max_reports: int = Field(
        default=10_000,
        description="Most reports one POST to the reports endpoint may carry.",
    )
    evidence_max_bytes: int = Field(
        default=200 * 1024**2,
        description="Largest evidence file accepted, in bytes (default 200 MiB).",
    )
    log_level: str = Field(default="info", description="Log level: debug, info, warning, error.")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'takedown.db').resolve()}"

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
