"""The RSS channel: an article's `<item>`, and a feed updated in place.

- `item`: Article -> RSS 2.0 item (and its HTML content).
- `scan`: reads an existing feed's items without rewriting a byte of them.
- `feed`: merges items into a feed (upsert by guid, newest first, trim on request).
- `atom`, `jsonfeed`: the same items as Atom 1.0 and JSON Feed 1.1.

Everything here is pure (bytes in, bytes out); the file, its lock and the
atomic writes live in `generator.feedfile`.
"""
