"""End-to-end tests: a real `takedown serve` on 127.0.0.1, driven over HTTP."""
