"""Webhook signatures, and the verification example in docs/api.md, run as written."""

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

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
SECRET = "whsec-lorem-ipsum"
BODY = b'{"type":"referral","items":[]}'
ID = "42"  # the X-Takedown-Delivery header


def _documented() -> Callable[..., bool]:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("### Webhook signatures", 1)[1].split("\n## ", 1)[0]
    [code] = re.findall(r"```python\n(.*?)```", section, re.S)
    namespace: dict[str, Any] = {}
    exec(compile(code, str(DOCS), "exec"), namespace)
    function: Callable[..., bool] = namespace["verify_signature"]
    return function


DOCUMENTED = _documented()
VERIFIERS = pytest.mark.parametrize("verify", [verify_signature, DOCUMENTED], ids=["lib", "docs"])


@VERIFIERS
def test_a_fresh_signature_verifies(verify: Callable[..., bool]) -> None:
    assert verify(SECRET, sign(SECRET, BODY, delivery=ID), BODY, delivery=ID)


@VERIFIERS
def test_tampering_a_wrong_secret_or_a_garbled_header_fails(verify: Callable[..., bool]) -> None:
    header = sign(SECRET, BODY, delivery=ID)
    assert not verify(SECRET, header, BODY.replace(b"referral", b"order"), delivery=ID)
    assert not verify("another secret", header, BODY, delivery=ID)
    t, v2, _ = header.split(",")
    for garbled in ("", "t=,v2=", t, v2, f"{t},v2=é", f"{t},v2=", "nonsense"):
        assert not verify(SECRET, garbled, BODY, delivery=ID)


@VERIFIERS
def test_the_delivery_id_is_signed(verify: Callable[..., bool]) -> None:
    """A receiver deduplicating on X-Takedown-Delivery can trust it: another id, or the body's
    first byte moved into the id, breaks the signature."""
    header = sign(SECRET, BODY, delivery=ID)
    assert not verify(SECRET, header, BODY, delivery="43")
    assert not verify(SECRET, header, BODY, delivery="")
    assert not verify(SECRET, header, BODY[1:], delivery=ID + BODY[:1].decode())
    for odd in ("42 ", "٤٢", "-42", "4.2"):
        assert not verify(SECRET, header, BODY, delivery=odd)
    with pytest.raises(ValueError, match="ASCII digits"):
        sign(SECRET, BODY, delivery="4.2")


@VERIFIERS
def test_a_header_stripped_to_the_legacy_v1_entry_is_refused(verify: Callable[..., bool]) -> None:
    t, _, v1 = sign(SECRET, BODY, delivery=ID).split(",")
    assert not verify(SECRET, f"{t},{v1}", BODY, delivery=ID)
    assert not verify(SECRET, f"{t},{v1}", BODY, delivery="43")


@VERIFIERS
def test_an_old_or_future_timestamp_is_refused(verify: Callable[..., bool]) -> None:
    now = 1_800_000_000

    def check(at: int, **kwargs: Any) -> bool:
        header = sign(SECRET, BODY, at, delivery=ID)
        return verify(SECRET, header, BODY, delivery=ID, now=now, **kwargs)

    assert check(now - 299)
    assert not check(now - 301)  # a replay
    assert not check(now + 301)
    assert check(now - 3000, tolerance=3600)


@VERIFIERS
def test_one_of_several_signatures_may_match_during_rotation(verify: Callable[..., bool]) -> None:
    ts = int(time.time())
    old = sign("old secret", BODY, ts, delivery=ID).split(",")[1]
    header = f"{sign(SECRET, BODY, ts, delivery=ID)},{old}"
    assert verify(SECRET, header, BODY, delivery=ID)
    assert verify("old secret", header, BODY, delivery=ID)


def test_the_header_format_is_stable() -> None:
    """v2 signs "<t>.<delivery>.<body>"; v1, still sent for receivers of the first scheme,
    signs "<t>.<body>"."""
    v2 = hmac.new(b"k", b"1700000000.7.{}", hashlib.sha256).hexdigest()
    v1 = hmac.new(b"k", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert sign("k", b"{}", 1_700_000_000, delivery=7) == f"t=1700000000,v2={v2},v1={v1}"


@given(st.binary(max_size=200), st.text(min_size=1, max_size=40), st.integers(1, 2**63 - 1))
def test_library_and_documented_verifiers_agree(body: bytes, secret: str, ident: int) -> None:
    header = sign(secret, body, delivery=ident)
    documented = DOCUMENTED
    for got, delivery in ((body, str(ident)), (body + b"x", str(ident)), (body, str(ident + 1))):
        lib = verify_signature(secret, header, got, delivery=delivery)
        assert lib is documented(secret, header, got, delivery=delivery)
        assert lib is (got == body and delivery == str(ident))
