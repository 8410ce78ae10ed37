"""Benchmarks: each module exposes run() -> [(name, value, unit)]."""
