"""Publishing: handing what the channels made to real services (an SMTP server,
a social network).

This is the edge of Masthead: the network I/O lives here and in the CLI,
never in a channel. Nothing here decides what a message or a post says; it
sends what a channel built, as it was built. Each module imports its network
libraries only when it sends, so the other commands start no slower.
"""
