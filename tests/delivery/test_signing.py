"""Webhook signatures, and the verification example in docs/operations.md, run as written."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from takedown.delivery.signing import sign, verify_signature

DOCS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
SECRET = "whsec-lorem-ipsum"
BODY = b'{"type":"referral","items":[]}'


def _documented() -> Callable[..., bool]:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("## Webhook signatures", 1)[1]
    [code] = re.findall(r"```python\n(.*?)```", section, re.S)
    namespace: dict[str, Any] = {}
    exec(compile(code, str(DOCS), "exec"), namespace)
    function: Callable[..., bool] = namespace["verify_signature"]
    return function


DOCUMENTED = _documented()
VERIFIERS = pytest.mark.parametrize("verify", [verify_signature, DOCUMENTED], ids=["lib", "docs"])


@VERIFIERS
def test_a_fresh_signature_verifies(verify: Callable[..., bool]) -> None:
    assert verify(SECRET, sign(SECRET, BODY), BODY)


@VERIFIERS
def test_tampering_a_wrong_secret_or_a_garbled_header_fails(verify: Callable[..., bool]) -> None:
    header = sign(SECRET, BODY)
    assert not verify(SECRET, header, BODY.replace(b"referral", b"order"))
    assert not verify("another secret", header, BODY)
    for garbled in ("", "t=,v1=", header.split(",")[0], header.split(",")[1], "nonsense"):
        assert not verify(SECRET, garbled, BODY)


@VERIFIERS
def test_an_old_or_future_timestamp_is_refused(verify: Callable[..., bool]) -> None:
    now = 1_800_000_000
    assert verify(SECRET, sign(SECRET, BODY, now - 299), BODY, now=now)
    assert not verify(SECRET, sign(SECRET, BODY, now - 301), BODY, now=now)  # a replay
    assert not verify(SECRET, sign(SECRET, BODY, now + 301), BODY, now=now)
    assert verify(SECRET, sign(SECRET, BODY, now - 3000), BODY, tolerance=3600, now=now)


@VERIFIERS
def test_one_of_several_signatures_may_match_during_rotation(verify: Callable[..., bool]) -> None:
    ts = int(time.time())
    old = sign("old secret", BODY, ts).split(",")[1]
    header = f"{sign(SECRET, BODY, ts)},{old}"
    assert verify(SECRET, header, BODY)
    assert verify("old secret", header, BODY)


def test_the_header_format_is_stable() -> None:
    mac = hmac.new(b"k", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert sign("k", b"{}", 1_700_000_000) == f"t=1700000000,v1={mac}"


@given(st.binary(max_size=200), st.text(min_size=1, max_size=40))
def test_library_and_documented_verifiers_agree(body: bytes, secret: str) -> None:
    header = sign(secret, body)
    documented = DOCUMENTED
    assert verify_signature(secret, header, body) is documented(secret, header, body) is True
    assert verify_signature(secret, header, body + b"x") is documented(secret, header, body + b"x")
