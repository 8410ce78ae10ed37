"""Okno: the single window to IT support."""

__version__ = "0.1.0"
