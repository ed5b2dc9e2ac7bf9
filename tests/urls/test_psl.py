"""Our reading of the bundled Public Suffix List agrees with tldextract on every rule."""

from __future__ import annotations

import subprocess
import sys

import pytest
import tldextract

from takedown.urls.hosts import registrable_domain
from takedown.urls.psl import _RULE, snapshot_path, top_domain


@pytest.fixture(scope="module")
def reference() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _hosts() -> list[str]:
    text = snapshot_path().read_text(encoding="utf-8")
    hosts: list[str] = []
    for found in _RULE.finditer(text):
        rule = found.group("suffix").lstrip("!").replace("*", "w")
        try:
            ascii_rule = rule.encode("idna").decode("ascii")
        except UnicodeError:
            ascii_rule = rule
        for base in {rule, ascii_rule}:
            hosts += [base, f"x.{base}", f"y.x.{base}", f"www.{base}"]
    return [*hosts, "ck", "a.ck", "www.ck", "a.www.ck", "example.com", "a.b.example.co.uk"]


def test_every_rule_of_the_list_agrees_with_tldextract(reference: tldextract.TLDExtract) -> None:
    hosts = _hosts()
    assert len(hosts) > 30_000  # the whole list, public and private rules
    differ = [
        (h, top_domain(h), ref)
        for h in hosts
        if top_domain(h)
        != (ref := reference.extract_str(h, include_psl_private_domains=True)
            .top_domain_under_public_suffix)
    ]  # fmt: skip
    assert differ == []


@pytest.mark.parametrize(
    ("host", "domain"),
    [
        ("forums.bbc.co.uk", "bbc.co.uk"),
        ("t.me", "t.me"),
        ("channel.blogspot.com", "channel.blogspot.com"),  # a private rule
        ("a.b.ck", "a.b.ck"),  # *.ck
        ("www.ck", "www.ck"),  # !www.ck
        ("co.uk", "co.uk"),  # a suffix alone is its own domain
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),  # no such suffix: the host itself
        ("203.0.113.9", "203.0.113.9"),
    ],
)
def test_registrable_domain(host: str, domain: str) -> None:
    assert registrable_domain(host) == domain


def test_parsing_a_web_url_does_not_import_tldextract() -> None:
    code = (
        "import sys; from takedown import urls; urls.parse('https://news.example.co.uk/a');"
        "print('tldextract' in sys.modules, 'requests' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
