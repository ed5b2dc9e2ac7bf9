"""One rule file per platform; each defines ``PLATFORM = Platform(...)``.

``web.py`` holds what belongs to no platform: general shorteners and redirect wrappers.
Adding a platform means adding one file here (and its examples to tests/urls).
"""
