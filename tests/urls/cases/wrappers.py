"""Wrappers that carry another URL (mail link filters, search redirects), and inputs with no
host; expected values written by hand (names invented)."""

SOURCES = {
    "safelinks": "Microsoft Learn, 'Safe Links in Microsoft Defender for Office 365': <region>.safelinks.protection.outlook.com/?url=<URL>&data=…&sdata=…&reserved=0; Teams via statics.teams.cdn.office.net",
    "proofpoint": "Proofpoint, 'How do I decode a rewritten URL?' (help.proofpoint.com): v1 urldefense.proofpoint.com/v1/url?u=<URL>; v2 ?u= with -XX escapes and _ for /; v3 urldefense.com/v3/__<URL>__;<replaced characters, base64url>!!…$",
    "proofpoint-us": "review of issue 20: the same v3 links rewritten by Proofpoint's US public-sector service, on urldefense.us",
    "google": "hand-made: Google search and Gmail redirects www.google.com/url?q=<URL>",
    "hostless": "issue 20: an input with no host is refused with a reason (a path, a file name, a query alone)",
}

POST = "telegram:post:lorem_news/42"
V = "aBcDeFgHi_0"

CASES = [
    ("https://nam02.safelinks.protection.outlook.com/?url=https%3A%2F%2Ft.me%2Florem_news%2F42&data=05%7C02%7C&sdata=AbC%3D&reserved=0",
     POST, "42", "lorem_news", "safelinks", {"flags": ("unwrapped_redirect",)}),
    (f"https://eur03.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.youtube.com%2Fwatch%3Fv%3D{V}&data=05%7C02&reserved=0",
     f"youtube:post:{V}", V, None, "safelinks"),
    ("https://statics.teams.cdn.office.net/evergreen-assets/safelinks/1/atp-safelinks.html?url=https%3A%2F%2Ft.me%2Florem_news%2F42&locale=en-us",
     POST, "42", "lorem_news", "safelinks"),
    ("https://urldefense.proofpoint.com/v1/url?u=https://t.me/lorem_news/42&k=AbC%3D%3D%0A&r=AbC&m=AbC&s=abc", POST, "42", "lorem_news",
     "proofpoint"),
    ("https://urldefense.proofpoint.com/v2/url?u=https-3A__t.me_lorem-5Fnews_42&d=DwMFaQ&c=AbC&r=AbC&m=AbC&s=AbC&e=", POST, "42",
     "lorem_news", "proofpoint", {"flags": ("unwrapped_redirect",)}),
    ("https://urldefense.proofpoint.com/v2/url?u=https-3A__www.youtube.com_watch-3Fv-3DaBcDeFgHi-5F0&d=DwMFaQ&e=", f"youtube:post:{V}", V,
     None, "proofpoint"),
    ("https://urldefense.com/v3/__https://t.me/lorem_news/42__;!!AbCdEf!GhIjKl$", POST, "42", "lorem_news", "proofpoint"),
    (f"https://urldefense.com/v3/__https://www.youtube.com/watch?v={V}__;!!AbCdEf!GhIjKl$", f"youtube:post:{V}", V, None, "proofpoint"),
    # "*" stands for a character listed after "__;": here "?" (base64url "Pw").
    ("https://urldefense.com/v3/__https://t.me/lorem_news/42*single__;Pw!!AbCdEf!GhIjKl$", POST, "42", "lorem_news", "proofpoint"),
    (f"https://www.google.com/url?q=https://youtu.be/{V}&sa=D&source=editors", f"youtube:post:{V}", V, None, "google"),
    ("https://urldefense.us/v3/__https://t.me/lorem_news/42__;!!AbCdEf!GhIjKl$", POST, "42", "lorem_news", "proofpoint-us",
     {"flags": ("unwrapped_redirect",)}),
    ("https://urldefense.us/v2/url?u=https-3A__t.me_lorem-5Fnews_42&d=DwMFaQ&e=", POST, "42", "lorem_news", "proofpoint-us"),
]  # fmt: skip

REFUSED = [
    ("/watch?v=aBcDeFgHi_0", "no host", "hostless"),
    ("watch?v=aBcDeFgHi_0", "host", "hostless"),
    ("?v=aBcDeFgHi_0", "no host", "hostless"),
    ("#!/lorem/status/1", "no host", "hostless"),
    ("index.html", "no host", "hostless"),
    ("lorem/status/1790000000000000001", "host", "hostless"),
    ("/lorem_news/42", "no host", "hostless"),
    ("../watch?v=aBcDeFgHi_0", "no host", "hostless"),
    ("C:\\Users\\lorem\\video.mp4", "file path", "hostless"),
    ("~/lorem.mp4", "file path", "hostless"),
]
