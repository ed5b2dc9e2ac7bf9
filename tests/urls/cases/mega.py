"""MEGA URL shapes, expected values written by hand (ids and keys invented).

The decryption key after ``#`` must come back as ``secret`` and nowhere else, however the ``#``
was written.
"""

SOURCES = {
    "links": "MEGA Help, 'What is a decryption key?': mega.nz/file/<id>#<key>, mega.nz/folder/<id>#<key>, a file inside a folder after the key",
    "legacy": "hand-made: the pre-2020 forms mega.nz/#!<id>!<key> and mega.nz/#F!<id>!<key>, also on mega.co.nz",
    "embed": "hand-made from MEGA's embed code: mega.nz/embed/<id>#<key>, and the older player's mega.nz/embed#!<id>!<key>",
    "album": "hand-made from MEGA's shared album links: mega.nz/collection/<id>#<key>",
    "encoded": "review of issue 20: the '#' percent-encoded by a share tool or spreadsheet (%23, %2523 when encoded twice), also inside a Wayback copy",
    "capitals": "hand-made: a link written in capitals, as a QR code's alphanumeric mode (no lowercase letters) or caps lock leaves it",
}

KEY = "LoremIpsumDolorSitAmetConsecteturAdipisc1"
FOLDER_KEY = "LoremFolderKey0123456"

CASES = [
    (f"https://mega.nz/file/AbCd1234#{KEY}", "mega:file:AbCd1234", "AbCd1234", None, "links", {"secret": KEY}),
    ("https://mega.nz/file/AbCd1234", "mega:file:AbCd1234", "AbCd1234", None, "links"),
    (f"https://mega.nz/folder/EfGh5678#{FOLDER_KEY}", "mega:collection:folder/EfGh5678", "EfGh5678", None, "links",
     {"secret": FOLDER_KEY}),
    (f"https://mega.nz/folder/EfGh5678#{FOLDER_KEY}/file/IjKl9012", "mega:collection:folder/EfGh5678", "EfGh5678", None, "links",
     {"secret": FOLDER_KEY}),
    (f"https://mega.nz/embed/AbCd1234#{KEY}", "mega:file:AbCd1234", "AbCd1234", None, "embed", {"secret": KEY}),
    (f"https://mega.nz/#!AbCd1234!{KEY}", "mega:file:AbCd1234", "AbCd1234", None, "legacy", {"secret": KEY}),
    (f"https://mega.co.nz/#!AbCd1234!{KEY}", "mega:file:AbCd1234", "AbCd1234", None, "legacy", {"secret": KEY}),
    (f"https://mega.nz/#F!EfGh5678!{FOLDER_KEY}", "mega:collection:folder/EfGh5678", "EfGh5678", None, "legacy",
     {"secret": FOLDER_KEY}),
    (f"https://mega.nz/embed#!AbCd1234!{KEY}", "mega:file:AbCd1234", "AbCd1234", None, "embed", {"secret": KEY}),
    (f"https://mega.nz/collection/QrSt3456#{FOLDER_KEY}", "mega:collection:collection/QrSt3456", "QrSt3456", None, "album",
     {"secret": FOLDER_KEY}),
    (f"https://mega.nz/file/AbCd1234%23{KEY}", "mega:file:AbCd1234", "AbCd1234", None, "encoded", {"secret": KEY}),
    (f"https://mega.nz/file/AbCd1234%2523{KEY}", "mega:file:AbCd1234", "AbCd1234", None, "encoded", {"secret": KEY}),
    (f"https://mega.nz/folder/EfGh5678%23{FOLDER_KEY}%2Ffile%2FIjKl9012", "mega:collection:folder/EfGh5678", "EfGh5678", None, "encoded",
     {"secret": FOLDER_KEY}),
    (f"https://mega.nz/%23!AbCd1234!{KEY}", "mega:file:AbCd1234", "AbCd1234", None, "encoded", {"secret": KEY}),
    # A path no rule reads: whatever follows the '#' is still the secret, never the key.
    (f"https://mega.nz/lorem%23{KEY}", "mega:page:mega.nz/lorem", None, None, "encoded", {"secret": KEY}),
    (f"https://web.archive.org/web/2024/https://mega.nz/file/AbCd1234%23{KEY}", "archive_org:page:web/2024/mega:file:AbCd1234", "AbCd1234",
     None, "encoded", {"secret": KEY, "parents": ("mega:file:AbCd1234",), "flags": ("archived_copy",)}),
    (f"https://web.archive.org/web/2024/https://mega.nz/file/AbCd1234#{KEY}", "archive_org:page:web/2024/mega:file:AbCd1234", "AbCd1234",
     None, "links", {"secret": KEY, "parents": ("mega:file:AbCd1234",)}),
    (f"https://web.archive.org/web/2024/https://mega.nz/#!AbCd1234!{KEY}", "archive_org:page:web/2024/mega:file:AbCd1234", "AbCd1234",
     None, "legacy", {"secret": KEY, "parents": ("mega:file:AbCd1234",)}),
    # In capitals the id's case is lost: it is kept as written, never guessed.
    (f"HTTPS://MEGA.NZ/FILE/ABCD1234#{KEY.upper()}", "mega:file:ABCD1234", "ABCD1234", None, "capitals", {"secret": KEY.upper()}),
]  # fmt: skip
