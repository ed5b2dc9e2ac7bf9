"""Google Drive and Docs: files, documents and folders."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_ID = r"(?P<id>[A-Za-z0-9_\-]{10,})"
_FILE = "https://drive.google.com/file/d/{id}"

PLATFORM = Platform(
    name="google_drive",
    hosts=("drive.google.com", "docs.google.com", "drive.usercontent.google.com"),
    rules=(
        Rule("file", rf"/file/(?:u/[0-9]+/)?d/{_ID}(?:/.*)?", "{id}", _FILE, account=None, lower=()),
        Rule("file", r"/(?:open|uc|download)", "{id}", _FILE, account=None, query={"id": _ID}, lower=()),
        Rule("collection", rf"/drive/(?:u/[0-9]+/)?(?:mobile/)?folders/{_ID}", "folder/{id}",
             "https://drive.google.com/drive/folders/{id}", account=None, lower=()),
        Rule("file", rf"/(?P<type>document|spreadsheets|presentation|forms)/(?:u/[0-9]+/)?d/(?:e/)?{_ID}(?:/.*)?", "{id}",
             "https://docs.google.com/{type}/d/{id}", account=None, lower=(), lowercase=("type",)),
    ),
)  # fmt: skip
