"""The Okno Red Button client: one click files a support request with diagnostics."""

__version__ = "0.1.0"
