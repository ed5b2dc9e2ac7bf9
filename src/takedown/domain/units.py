"""Unit kinds and roles: the fixed vocabulary of who takes part."""

from __future__ import annotations

from enum import StrEnum


class UnitKind(StrEnum):
    REFERRAL_UNIT = "referral_unit"
    COORDINATOR = "coordinator"
    PLATFORM = "platform"
    OVERSIGHT = "oversight"


class Role(StrEnum):
    ANALYST = "analyst"
    SENIOR_ASSESSOR = "senior_assessor"
    COORDINATOR = "coordinator"
    PLATFORM_AGENT = "platform_agent"
    AUDITOR = "auditor"
    ADMIN = "admin"
