"""URL intelligence: turn what an analyst pastes into one canonical content reference.

The public contract, used by intake and everything after it:

- ``parse(text) -> ContentRef`` raises ``UrlError`` (a ``ValueError``) with a clear message;
- ``ContentRef`` carries platform, kind, account, id, canonical_url, key, parents and flags.

One module per platform in ``takedown/urls/platforms``; docs/urls.md says what each recognises.
"""

from __future__ import annotations

from takedown.urls.model import ContentRef, UrlError
from takedown.urls.parse import parse

__all__ = ["ContentRef", "UrlError", "parse"]
