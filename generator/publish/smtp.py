"""Sending a test email through SMTP: `masthead email ARTICLE --send-test ADDRESS`.

The message is the .eml the email channel builds (only its subject starts
with `[Test] `); this module only carries it to a server. What keeps a
password and a message off the wire in clear is checked before any
connection: plain SMTP (`security = "none"`) only to a host on this machine,
and never a login without TLS. TLS certificates are verified against the
system's trust store (`ssl.create_default_context`, which also honours
SSL_CERT_FILE for a private authority); there is no switch to skip that.

Every failure (refused, unreachable, TLS, login, timeout) becomes one
`SendError` naming the server and what to check. smtplib and ssl are
imported only when sending, so the other commands start no slower.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.config import Config, email_address_problem, smtp_host_problem
from generator.errors import MastheadError
from generator.publish.remote import is_loopback, one_line

PASSWORD_ENV = "MASTHEAD_SMTP_PASSWORD"
SUBJECT_PREFIX = "[Test] "
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
TIMEOUT = 30.0  # seconds the server may take to answer, at each step


class SendError(MastheadError):
    """The test email was not sent; the message names the server and what to check."""


@dataclass(frozen=True, slots=True)
class Server:
    host: str  # an IPv6 address without its brackets
    port: int
    security: str  # starttls | ssl | none
    username: str = ""
    password: str = field(default="", repr=False)

    @property
    def address(self) -> str:
        """HOST:PORT as people write it ([::1]:25 for IPv6)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass(frozen=True, slots=True)
class Outbox:
    """Where one test email goes: checked, but nothing contacted yet."""

    recipient: str
    server: Server


def parse_server(value: str) -> tuple[str, int | None]:
    """`--smtp HOST[:PORT]` as (host, port); an IPv6 address goes in brackets.
    A ValueError says what is wrong."""
    value = value.strip()
    port_text: str | None = None
    if "://" in value:
        raise ValueError(f"{value!r}: the host {smtp_host_problem(value)}")
    if value.startswith("["):
        host, bracket, rest = value[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError(f"{value!r} must be HOST, HOST:PORT, [IPv6] or [IPv6]:PORT")
        port_text = rest[1:] if rest else None
        if ":" not in host:
            raise ValueError(f"{value!r}: only an IPv6 address goes in brackets")
    elif value.count(":") > 1:
        raise ValueError(f"{value!r}: put an IPv6 address in brackets, e.g. [{value}] or [::1]:25")
    else:
        host, colon, port_text = value.partition(":")
        port_text = port_text if colon else None
    problem = smtp_host_problem(host) if host else "is missing"
    if problem:
        raise ValueError(f"{value!r}: the host {problem}")
    if port_text is None:
        return host, None
    if not (port_text.isascii() and port_text.isdigit() and 0 < int(port_text) <= 65535):
        raise ValueError(f"{value!r}: the port must be a number from 1 to 65535")
    return host, int(port_text)


def parse_recipient(address: str) -> str:
    """ADDRESS as the one envelope recipient (an international domain as
    IDNA). A ValueError says what is wrong: anything that could add a
    recipient, a header or an SMTP command is refused, not cleaned."""
    if "\r" in address or "\n" in address:
        raise ValueError("must be one address on one line")
    if "," in address or ";" in address:
        raise ValueError(f"{address!r} must be one address, without ',' or ';'")
    if re.search(r'[\x00-\x20\x7f-\x9f<>()"\\]', address):
        raise ValueError(
            f"{address!r} must be a bare address such as 'you@example.com' "
            "(no name, spaces, quotes, brackets or control characters)"
        )
    problem = email_address_problem(address) if address else "must be an email address"
    if problem:
        raise ValueError(f"{address!r} {problem}")
    local, domain = address.rsplit("@", 1)
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"{address!r}: the domain is not a valid host name") from None
    return f"{local}@{domain}"


def outbox(config: Config, recipient: str, smtp: str | None, password: str) -> Outbox:
    """Check everything that can be checked before connecting: the sender,
    the server and its security rules, and the password's presence.
    `recipient` is from `parse_recipient`, `smtp` is `--smtp` (or None)."""
    settings = config.smtp
    if not config.sender.address:
        raise SendError(
            "no sender address for the test email: set [sender] address in masthead.toml "
            "(the From of the email and the address the server sends from)"
        )
    host = settings.host.removeprefix("[").removesuffix("]")
    port = settings.port or None
    if smtp is not None:  # overrides both: a config port belongs to the config host
        host, port = parse_server(smtp)
    if not host:
        raise SendError(
            "no SMTP server to send the test email through: set [smtp] host in "
            "masthead.toml, or pass --smtp HOST[:PORT]"
        )
    server = Server(
        host,
        port or DEFAULT_PORTS[settings.security],
        settings.security,
        settings.username,
        password if settings.username else "",
    )
    if settings.security == "none" and not is_loopback(host):
        raise SendError(
            f"refusing to send to the SMTP server {server.address} without TLS: "
            'security = "none" is only for a server on this machine (127.0.0.1, ::1, '
            'localhost); set [smtp] security = "starttls" or "ssl"'
        )
    if settings.username and settings.security == "none":
        raise SendError(
            f"refusing to log in to the SMTP server {server.address} without TLS, where the "
            f'password would travel in clear: set [smtp] security = "starttls" or "ssl", '
            "or remove [smtp] username if the server needs no login"
        )
    if settings.username and not password:
        raise SendError(
            f"[smtp] username is {settings.username!r} but {PASSWORD_ENV} is not set: "
            "put the password in that environment variable (never in masthead.toml)"
        )
    return Outbox(recipient, server)


def envelope_sender(message: bytes) -> str:
    """The address in the message's From header, as the .eml writes it (an
    international domain as IDNA): the envelope sender matches the From."""
    from email.parser import BytesHeaderParser
    from email.utils import parseaddr

    return parseaddr(BytesHeaderParser().parsebytes(message)["From"] or "")[1]


def send(message: bytes, box: Outbox, *, timeout: float = TIMEOUT) -> None:
    """Send `message` (a complete RFC 5322 message) to `box.recipient`."""
    import smtplib
    import socket
    import ssl

    server = box.server
    sender = envelope_sender(message)
    where = f"the SMTP server {server.address}"
    step = "connect"
    try:
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if server.security == "ssl":
            client = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=timeout)
        with client:
            if server.security == "starttls":
                step = "starttls"
                client.starttls(context=context)
            if server.username:
                step = "login"
                client.login(server.username, server.password)
            step = "send"
            client.sendmail(sender, [box.recipient], message)
    except smtplib.SMTPRecipientsRefused as exc:
        said = _said(*next(iter(exc.recipients.values())))
        raise SendError(
            f"{where} refused the recipient {box.recipient} ({said}); check the address, and "
            "that the server takes mail for it from you (many relay only after a login)"
        ) from None
    except smtplib.SMTPSenderRefused as exc:
        raise SendError(
            f"{where} refused the sender {sender} ({_said(exc.smtp_code, exc.smtp_error)}); "
            "check [sender] address (many servers accept only the address you log in as) "
            "and [smtp] username"
        ) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(
            f"{where} refused the login as {server.username!r} "
            f"({_said(exc.smtp_code, exc.smtp_error)}); check [smtp] username and {PASSWORD_ENV}"
        ) from None
    except smtplib.SMTPNotSupportedError:
        if step == "starttls":
            raise SendError(
                f"{where} does not offer STARTTLS; check [smtp] security and port "
                '("ssl" for a server that speaks TLS from the start, usually port 465)'
            ) from None
        raise SendError(
            f"{where} offers no login (AUTH); remove [smtp] username if it needs none"
        ) from None
    except smtplib.SMTPServerDisconnected as exc:
        if isinstance(exc.__context__, TimeoutError):  # smtplib reports a timeout so
            raise _timed_out(where, step, timeout) from None
        raise SendError(
            f"{where} closed the connection ({_STEPS[step]}); check [smtp] security and port "
            '("ssl" usually on 465, "starttls" on 587)'
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise SendError(
            f"{where} answered {_said(exc.smtp_code, exc.smtp_error)} ({_STEPS[step]}); "
            "check [smtp] settings and [sender] address"
        ) from None
    except smtplib.SMTPException as exc:
        raise SendError(
            f"sending through {where} failed ({_STEPS[step]}): {one_line(exc)}"
        ) from None
    except ssl.SSLCertVerificationError as exc:
        raise SendError(
            f"{where} has a TLS certificate that cannot be trusted "
            f"({one_line(exc.verify_message)}); "
            "check that [smtp] host (or --smtp) is the name on the server's certificate; "
            "for a certificate of a private authority, point SSL_CERT_FILE at that authority"
        ) from None
    except ssl.SSLError as exc:
        raise SendError(
            f"TLS with {where} failed ({one_line(exc.reason or exc)}); check [smtp] security: "
            '"ssl" for a port that speaks TLS from the start (usually 465), "starttls" for '
            "one that upgrades (usually 587)"
        ) from None
    except TimeoutError:
        raise _timed_out(where, step, timeout) from None
    except ConnectionRefusedError:
        raise SendError(
            f"cannot connect to {where}: connection refused; check [smtp] host and port "
            "(or --smtp), and that the server is running"
        ) from None
    except socket.gaierror as exc:
        raise SendError(
            f"cannot find {where} ({one_line(exc.strerror or exc)}); check [smtp] host (or --smtp)"
        ) from None
    except OSError as exc:
        raise SendError(
            f"cannot reach {where} ({one_line(exc.strerror or exc)}); check [smtp] host and port "
            "(or --smtp) and the network"
        ) from None
    except UnicodeEncodeError:
        # smtplib sends the login in ASCII only.
        raise SendError(
            f"cannot log in to {where}: smtplib sends only ASCII user names and passwords; "
            f"check [smtp] username and {PASSWORD_ENV}"
        ) from None


def _timed_out(where: str, step: str, timeout: float) -> SendError:
    return SendError(
        f"{where} did not answer within {timeout:g} s ({_STEPS[step]}); check [smtp] host, "
        'port and security (a "starttls" client on an "ssl" port waits in silence)'
    )


_STEPS = {
    "connect": "on connecting",
    "starttls": "on STARTTLS",
    "login": "on login",
    "send": "on sending",
}


def _said(code: int, text: bytes | str) -> str:
    """A server's reply, fit for one terminal line: it is not ours to trust."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {one_line(text)}".strip()
