"""What intake stores for a URL that carried a secret: ``ContentRef.without_secret()``.

The URL as reported is kept (the reporting unit knows it), less the decryption key and the
marks before it, however the ``#`` was written; where the key is not in the input exactly as
``parse`` returned it, the canonical URL stands in. Either way the stored URL names the same
item and holds no key.
"""

from __future__ import annotations

import pytest

from takedown.urls import parse

KEY = "Zq3-kLm_9xYwVb7TqPz0aBcD1eF2gH3iJ4kL5mN6oP7"


@pytest.mark.parametrize(
    ("url", "stored"),
    [
        (f"https://mega.nz/file/AbCd1234#{KEY}", "https://mega.nz/file/AbCd1234"),
        (f"https://mega.nz/file/AbCd1234%23{KEY}", "https://mega.nz/file/AbCd1234"),
        (f"https://mega.nz/file/AbCd1234%2523{KEY}", "https://mega.nz/file/AbCd1234"),
        (f"https://mega.nz/folder/EfGh5678%23{KEY}", "https://mega.nz/folder/EfGh5678"),
        (f"https://mega.nz/embed#!AbCd1234!{KEY}", "https://mega.nz/embed#!AbCd1234"),
        (f"https://mega.nz/%23!AbCd1234!{KEY}", "https://mega.nz/%23!AbCd1234"),
        (f"https://mega.nz/collection/QrSt3456#{KEY}", "https://mega.nz/collection/QrSt3456"),
        (
            f"https://web.archive.org/web/2024/https://mega.nz/file/AbCd1234%23{KEY}",
            "https://web.archive.org/web/2024/https://mega.nz/file/AbCd1234",
        ),
        (
            f"https://web.archive.org/web/2024/https://mega.nz/file/AbCd1234#{KEY}",
            "https://web.archive.org/web/2024/https://mega.nz/file/AbCd1234",
        ),
        (
            f"https://www.google.com/url?q=https%3A%2F%2Fmega.nz%2Ffile%2FAbCd1234%2523{KEY}&sa=D",
            "https://www.google.com/url?q=https%3A%2F%2Fmega.nz%2Ffile%2FAbCd1234%2523&sa=D",
        ),
        (f"https://mega.nz/lorem%23{KEY}", "https://mega.nz/lorem"),
    ],
)
def test_the_stored_url_has_no_key_however_the_hash_was_written(url: str, stored: str) -> None:
    ref = parse(url)
    assert ref.secret == KEY
    assert ref.without_secret() == stored
    assert parse(stored).key == ref.key


def test_a_key_written_twice_leaves_the_canonical_url_stored() -> None:
    ref = parse(f"https://mega.nz/file/AbCd1234%23{KEY}#{KEY}")
    assert ref.secret is not None and KEY in ref.secret
    assert ref.without_secret() == "https://mega.nz/file/AbCd1234"


def test_a_key_that_is_not_in_the_input_as_written_leaves_the_canonical_url_stored() -> None:
    # The key's "-" escaped as %2D: decoded, it is not the input's text.
    escaped = KEY.replace("-", "%2D")
    ref = parse(f"https://mega.nz/file/AbCd1234%23{escaped}")
    assert ref.secret == KEY
    assert ref.without_secret() == ref.canonical_url == "https://mega.nz/file/AbCd1234"


def test_a_page_of_mega_keeps_an_encoded_and_a_written_fragment_apart_from_its_key() -> None:
    ref = parse(f"https://mega.nz/lorem%23{KEY}#more")
    assert (ref.key, ref.secret) == ("mega:page:mega.nz/lorem", f"{KEY}#more")
    assert KEY not in ref.without_secret()


def test_a_link_in_capitals_keeps_its_key_apart() -> None:
    ref = parse(f"HTTPS://MEGA.NZ/FILE/ABCD1234#{KEY.upper()}")
    assert (ref.key, ref.secret) == ("mega:file:ABCD1234", KEY.upper())
    assert KEY.upper() not in ref.without_secret()
