"""Masthead: one article in, a newsletter email, social threads and an RSS item out."""

__version__ = "0.1.0"
