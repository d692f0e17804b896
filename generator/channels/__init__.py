"""Channels: pure functions from an `Article` (and a `Config`) to one output."""
