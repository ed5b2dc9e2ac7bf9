"""Dropbox URL shapes, expected values written by hand (ids invented)."""

SOURCES = {
    "share": "Dropbox Help, 'Share links': dropbox.com/scl/fi/<id>/<name>?rlkey=<key> (files), /scl/fo/<id>/… (folders); older /s/<id>/<name>",
    "embed": "hand-made: the /e/ form that Dropbox's embed code and previews use, dropbox.com/e/scl/fi/<id>/<name>?rlkey=…",
    "direct": "hand-made: direct downloads, dl.dropboxusercontent.com/s/<id>/<name>",
}

CASES = [
    ("https://www.dropbox.com/scl/fi/abc123xyz456/lorem.mp4?rlkey=abcdef123&dl=0", "dropbox:file:scl/fi/abc123xyz456", "abc123xyz456", None,
     "share"),
    ("https://www.dropbox.com/e/scl/fi/abc123xyz456/lorem.mp4?rlkey=abcdef123", "dropbox:file:scl/fi/abc123xyz456", "abc123xyz456", None,
     "embed"),
    ("https://www.dropbox.com/e/scl/fi/abc123xyz456/lorem.mp4", "dropbox:file:scl/fi/abc123xyz456", "abc123xyz456", None, "embed"),
    ("https://www.dropbox.com/scl/fo/abc123xyz456/AAbbCC?rlkey=abcdef123", "dropbox:collection:scl/fo/abc123xyz456", "abc123xyz456", None,
     "share"),
    ("https://www.dropbox.com/s/abc123xyz/lorem.mp4?dl=0", "dropbox:file:s/abc123xyz", "abc123xyz", None, "share"),
    ("https://dl.dropboxusercontent.com/s/abc123xyz/lorem.mp4", "dropbox:file:s/abc123xyz", "abc123xyz", None, "direct"),
]  # fmt: skip
