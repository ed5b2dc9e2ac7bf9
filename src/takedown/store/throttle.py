"""Throttle model: failed authentications counted per client address and time window.

A row is one window of one client; the counter is shared by every `takedown serve` process
on the database. Rows of past windows are deleted as new failures come in.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from takedown.store.models import Base


class AuthFailure(Base):
    __tablename__ = "auth_failures"
    client: Mapped[str] = mapped_column(String(100), primary_key=True)
    # The window's start, in seconds since the epoch (a multiple of the window's length).
    window_start: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, autoincrement=False, index=True
    )
    failures: Mapped[int] = mapped_column(Integer)
