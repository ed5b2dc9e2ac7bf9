"""MEGA URL shapes, expected values written by hand (ids and keys invented).

The decryption key after ``#`` must come back as ``secret`` and nowhere else.
"""

SOURCES = {
    "links": "MEGA Help, 'What is a decryption key?': mega.nz/file/<id>#<key>, mega.nz/folder/<id>#<key>, a file inside a folder after the key",
    "legacy": "hand-made: the pre-2020 forms mega.nz/#!<id>!<key> and mega.nz/#F!<id>!<key>, also on mega.co.nz",
    "embed": "hand-made from MEGA's embed code: mega.nz/embed/<id>#<key>",
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
]  # fmt: skip
