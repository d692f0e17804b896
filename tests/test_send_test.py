"""`masthead email ARTICLE --send-test ADDRESS`, against real SMTP servers.

The servers are aiosmtpd on loopback: STARTTLS with AUTH (a real
authenticator checking the user and password), implicit TLS, and plain SMTP.
The TLS certificate is made here with `openssl`, signed by a throwaway
authority that the CLI is told to trust through SSL_CERT_FILE, the variable
OpenSSL's default trust store reads; Masthead has no switch to skip the check.
The CLI runs as a subprocess; what the server received is parsed with the
standard library and compared with the .eml that `--eml` writes.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import socket
import ssl
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from conftest import MASTHEAD, PYTHON

from generator.config import Config, load_config, parse_config
from generator.errors import ConfigError
from generator.publish.remote import is_loopback
from generator.publish.smtp import (
    Outbox,
    SendError,
    Server,
    outbox,
    parse_recipient,
    parse_server,
    send,
)

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "article" / "the-great-ai-divorce.txt"
USER, PASSWORD = "ledger", "correct horse battery staple"
SENDER = "news@example.com"
READER = "reader@example.org"
EPOCH = "1772530200"


# --- certificates -----------------------------------------------------------------


@dataclass(frozen=True)
class Certs:
    authority: Path  # what the client trusts (SSL_CERT_FILE)
    chain: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.chain, self.key)
        return context


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> Certs:
    """A throwaway authority and a server certificate for localhost,
    127.0.0.1 and ::1 that it signed."""
    folder = tmp_path_factory.mktemp("certs")
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    _openssl(
        "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=Masthead test authority",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=folder,
    )  # fmt: skip
    _openssl(*("req", *ec, "-keyout", "server.key", "-out", "server.csr"),
             "-subj", "/CN=localhost", cwd=folder)  # fmt: skip
    (folder / "server.ext").write_text(
        "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid\n",
        encoding="ascii",
    )
    _openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-set_serial", "2", "-days", "2", "-extfile", "server.ext", "-out", "server.pem",
        cwd=folder,
    )  # fmt: skip
    return Certs(folder / "ca.pem", folder / "server.pem", folder / "server.key")


# --- servers ----------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


class Inbox:
    """An aiosmtpd handler that keeps what it receives (or refuses recipients)."""

    def __init__(self, refuse_recipients: bool = False) -> None:
        self.refuse_recipients = refuse_recipients
        self.messages: list[Received] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_recipients:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        return "250 2.0.0 accepted"


class Authenticator:
    """Accepts USER with PASSWORD, and remembers every attempt."""

    def __init__(self) -> None:
        self.attempts: list[tuple[str, bytes, bool]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data == (
            USER.encode(),
            PASSWORD.encode(),
        )
        login = auth_data.login if isinstance(auth_data, LoginPassword) else b""
        self.attempts.append((mechanism, login, ok))
        return AuthResult(success=ok, handled=False)  # the server answers 535 itself


def free_port(host: str = "127.0.0.1") -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@dataclass
class Running:
    host: str
    port: int
    inbox: Inbox
    auth: Authenticator

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@contextmanager
def smtp_server(
    kind: str,
    certs: Certs | None = None,
    *,
    host: str = "127.0.0.1",
    refuse_recipients: bool = False,
):
    """A real SMTP server on loopback: `starttls` (STARTTLS required, AUTH only
    after it), `ssl` (TLS from the first byte, AUTH) or `plain` (no TLS, no AUTH)."""
    inbox, auth = Inbox(refuse_recipients), Authenticator()
    options: dict = {}
    if kind == "starttls":
        options = dict(
            tls_context=certs.server_context(),
            require_starttls=True,
            authenticator=auth,
            auth_require_tls=True,
        )
    elif kind == "ssl":
        # The whole connection is TLS; aiosmtpd's auth_require_tls knows only STARTTLS.
        options = dict(ssl_context=certs.server_context(), authenticator=auth,
                       auth_require_tls=False)  # fmt: skip
    controller = Controller(inbox, hostname=host, port=free_port(host), **options)
    controller.start()
    try:
        yield Running(host, controller.port, inbox, auth)
    finally:
        controller.stop()


# --- the CLI ------------------------------------------------------------------------


def masthead(*args: str, cwd: Path, env: dict[str, str] | None = None):
    """Run the real CLI in a subprocess, with only the variables given here
    (and SOURCE_DATE_EPOCH, so the Date of both messages is the same)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MASTHEAD_", "SSL_CERT"))}
    base["SOURCE_DATE_EPOCH"] = EPOCH
    return subprocess.run(
        [*MASTHEAD, *map(str, args)],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        timeout=60,  # a hang guard only: every case here ends in a second or two
    )


def write_config(folder: Path, *, security: str = "starttls", username: str = USER,
                 host: str = "", extra: str = "") -> None:  # fmt: skip
    (folder / "masthead.toml").write_text(
        '[sender]\nname = "The Ledger"\naddress = "' + SENDER + '"\n'
        f'[smtp]\nhost = "{host}"\nsecurity = "{security}"\nusername = "{username}"\n{extra}',
        encoding="utf-8",
    )


def trusted(certs: Certs, password: str = PASSWORD) -> dict[str, str]:
    return {"SSL_CERT_FILE": str(certs.authority), "MASTHEAD_SMTP_PASSWORD": password}


def eml_of(folder: Path, *extra: str) -> bytes:
    run = masthead("email", SEED, "--eml", "-o", folder / "message.eml", *extra, cwd=folder)
    assert run.returncode == 0, run.stderr
    return (folder / "message.eml").read_bytes()


def error_line(run) -> str:
    """The one `error:` line on stderr, with no traceback."""
    stderr = run.stderr.decode()
    assert run.returncode == 1, (run.returncode, stderr)
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


# --- the message -------------------------------------------------------------------

_HASHED = ("subject", "message-id", "content-type")


def assert_same_message(received: bytes, eml: bytes) -> None:
    """`received` is the .eml but for what `[Test] ` changes.

    Allowed differences, and why: the Subject gains `[Test] `; the Message-ID
    and the MIME boundary are derived from a hash of the message (so the same
    input gives the same file), and the subject is part of what is hashed, so
    both differ. Everything else is compared exactly: every other header and
    its order, and every part's headers and body, byte for byte.
    """
    got = email.message_from_bytes(received, policy=email.policy.default)
    want = email.message_from_bytes(eml, policy=email.policy.default)
    assert got.keys() == want.keys()  # the same headers, in the same order
    for name in want:
        if name.lower() not in _HASHED:
            assert got[name] == want[name], name
    assert str(got["Subject"]) == "[Test] " + str(want["Subject"])
    assert received.isascii()  # a non-ASCII subject goes out as encoded words
    domain = re.compile(r"<[0-9a-f]{32}@([^>]+)>")
    assert domain.fullmatch(got["Message-ID"])[1] == domain.fullmatch(want["Message-ID"])[1]
    assert got.get_content_type() == want.get_content_type() == "multipart/alternative"
    got_parts, want_parts = got.get_payload(), want.get_payload()
    assert [p.get_content_type() for p in want_parts] == ["text/plain", "text/html"]
    assert len(got_parts) == len(want_parts)
    for g, w in zip(got_parts, want_parts, strict=True):
        assert g.items() == w.items()
        assert g.get_payload(decode=True) == w.get_payload(decode=True)
        assert g.get_content() == w.get_content()
    # And on the wire: with the three hashed values put back, the same bytes.
    boundary_got, boundary_want = got.get_boundary(), want.get_boundary()
    assert boundary_got != boundary_want
    restored = received.replace(boundary_got.encode(), boundary_want.encode())
    header_end = restored.index(b"\r\n\r\n")
    eml_header_end = eml.index(b"\r\n\r\n")
    assert restored[header_end:] == eml[eml_header_end:]
    hashed = re.compile(rb"^(Subject|Message-ID): .*(\r\n[ \t].*)*\r\n", re.M)
    assert hashed.sub(b"", restored[:header_end + 2]) == hashed.sub(b"", eml[:eml_header_end + 2])


# --- sending --------------------------------------------------------------------------


def test_starttls_with_login_delivers_the_eml_with_a_test_subject(tmp_path, certs):
    write_config(tmp_path)
    with smtp_server("starttls", certs) as server:
        run = masthead("email", SEED, "--send-test", READER, "--smtp", server.address,
                       cwd=tmp_path, env=trusted(certs))  # fmt: skip
        assert run.returncode == 0, run.stderr
        assert run.stdout.decode() == f"sent test email to {READER} via {server.address}\n"
        assert run.stderr == b""
        assert [(login, ok) for _, login, ok in server.auth.attempts] == [(USER.encode(), True)]
        [message] = server.inbox.messages
    # The server required STARTTLS before MAIL and offered AUTH only after it:
    # a delivered message means both happened, and the login was the user's.
    assert message.mail_from == SENDER
    assert message.rcpt_tos == [READER]
    assert_same_message(message.content, eml_of(tmp_path))


def test_a_non_ascii_subject_is_prefixed_inside_the_encoded_header(tmp_path, certs):
    write_config(tmp_path)
    subject = "Café à la une — 新闻 ✉"
    with smtp_server("starttls", certs) as server:
        run = masthead("email", SEED, "--subject", subject, "--send-test", READER,
                       "--smtp", server.address, cwd=tmp_path, env=trusted(certs))  # fmt: skip
        assert run.returncode == 0, run.stderr
        [message] = server.inbox.messages
    raw = re.search(rb"^Subject: (.*(?:\r\n[ \t].*)*)\r\n", message.content, re.M)[1]
    assert raw.startswith(b"=?utf-8?b?")  # encoded words, prefix and all
    parsed = email.message_from_bytes(message.content, policy=email.policy.default)
    assert str(parsed["Subject"]) == "[Test] " + subject
    assert_same_message(message.content, eml_of(tmp_path, "--subject", subject))


def test_implicit_tls_on_the_configured_host_and_port(tmp_path, certs):
    with smtp_server("ssl", certs) as server:
        write_config(tmp_path, security="ssl", host="localhost",
                     extra=f"port = {server.port}\n")  # fmt: skip
        run = masthead("email", SEED, "--send-test", READER, cwd=tmp_path, env=trusted(certs))
        assert run.returncode == 0, run.stderr
        assert run.stdout.decode() == f"sent test email to {READER} via localhost:{server.port}\n"
        assert [ok for *_, ok in server.auth.attempts] == [True]
        [message] = server.inbox.messages
    assert_same_message(message.content, eml_of(tmp_path))


def test_an_ipv6_server_in_brackets(tmp_path, certs):
    write_config(tmp_path)
    with smtp_server("starttls", certs, host="::1") as server:
        run = masthead("email", SEED, "--send-test", READER, "--smtp", f"[::1]:{server.port}",
                       cwd=tmp_path, env=trusted(certs))  # fmt: skip
        assert run.returncode == 0, run.stderr
        assert run.stdout.decode().endswith(f"via [::1]:{server.port}\n")
        assert len(server.inbox.messages) == 1


def test_plain_smtp_without_login_to_a_loopback_server(tmp_path):
    write_config(tmp_path, security="none", username="")
    with smtp_server("plain") as server:
        run = masthead("email", SEED, "--send-test", READER, "--smtp", server.address,
                       cwd=tmp_path)  # fmt: skip
        assert run.returncode == 0, run.stderr
        [message] = server.inbox.messages
    assert message.mail_from == SENDER
    assert_same_message(message.content, eml_of(tmp_path))


def test_the_envelope_sender_of_an_international_domain_is_idna(tmp_path):
    (tmp_path / "masthead.toml").write_text(
        '[sender]\naddress = "news@bücher.example"\n[smtp]\nsecurity = "none"\n',
        encoding="utf-8",
    )
    with smtp_server("plain") as server:
        run = masthead("email", SEED, "--send-test", "leser@bücher.example",
                       "--smtp", server.address, cwd=tmp_path)  # fmt: skip
        assert run.returncode == 0, run.stderr
        [message] = server.inbox.messages
    assert message.mail_from == "news@xn--bcher-kva.example"
    assert message.rcpt_tos == ["leser@xn--bcher-kva.example"]


# --- failures: one line, exit 1 ---------------------------------------------------------


def test_a_wrong_password_is_one_error_line(tmp_path, certs):
    write_config(tmp_path)
    with smtp_server("starttls", certs) as server:
        run = masthead("email", SEED, "--send-test", READER, "--smtp", server.address,
                       cwd=tmp_path, env=trusted(certs, "wrong"))  # fmt: skip
        line = error_line(run)
        assert server.inbox.messages == []
    assert f"SMTP server {server.address} refused the login as 'ledger' (535" in line
    assert "check [smtp] username and MASTHEAD_SMTP_PASSWORD" in line


def test_a_refused_recipient_is_one_error_line(tmp_path, certs):
    write_config(tmp_path)
    with smtp_server("starttls", certs, refuse_recipients=True) as server:
        run = masthead("email", SEED, "--send-test", READER, "--smtp", server.address,
                       cwd=tmp_path, env=trusted(certs))  # fmt: skip
        line = error_line(run)
        assert server.inbox.messages == []
    assert f"SMTP server {server.address} refused the recipient {READER} (550 5.1.1" in line
    assert "check the address" in line


def test_a_server_that_is_down_is_one_error_line(tmp_path, certs):
    write_config(tmp_path)
    port = free_port()  # nothing listens there
    run = masthead("email", SEED, "--send-test", READER, "--smtp", f"127.0.0.1:{port}",
                   cwd=tmp_path, env=trusted(certs))  # fmt: skip
    line = error_line(run)
    assert f"cannot connect to the SMTP server 127.0.0.1:{port}: connection refused" in line
    assert "check [smtp] host and port" in line


def test_an_untrusted_certificate_is_refused(tmp_path, certs):
    """Without SSL_CERT_FILE naming the test authority, the certificate is
    one that nobody vouches for: verified by default, the send fails."""
    write_config(tmp_path)
    with smtp_server("starttls", certs) as server:
        run = masthead("email", SEED, "--send-test", READER, "--smtp", server.address,
                       cwd=tmp_path, env={"MASTHEAD_SMTP_PASSWORD": PASSWORD})  # fmt: skip
        line = error_line(run)
        assert server.auth.attempts == [] and server.inbox.messages == []
    assert f"SMTP server {server.address} has a TLS certificate that cannot be trusted" in line
    assert "SSL_CERT_FILE" in line


def test_a_certificate_for_another_name_is_refused(tmp_path, certs):
    # The certificate names localhost, 127.0.0.1 and ::1, not 127.0.0.2.
    write_config(tmp_path, security="ssl")
    with smtp_server("ssl", certs, host="127.0.0.2") as server:
        run = masthead("email", SEED, "--send-test", READER, "--smtp", server.address,
                       cwd=tmp_path, env=trusted(certs))  # fmt: skip
        line = error_line(run)
        assert server.inbox.messages == []
    assert "cannot be trusted" in line and "is the name on the server's certificate" in line


def test_plain_smtp_to_a_remote_host_is_refused_before_connecting(tmp_path):
    """192.0.2.1 (TEST-NET-1) is never contacted: the refusal comes first.
    Had it been contacted, the run would wait for the 30 s timeout, and the
    subprocess guard would fail the test long before any error line."""
    write_config(tmp_path, security="none", username="")
    run = masthead("email", SEED, "--send-test", READER, "--smtp", "192.0.2.1", cwd=tmp_path)
    line = error_line(run)
    assert "refusing to send to the SMTP server 192.0.2.1:25 without TLS" in line
    assert 'security = "none" is only for a server on this machine' in line


@contextmanager
def listener():
    """A loopback socket that notes whether anyone connected to it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        sock.setblocking(False)

        def contacted() -> bool:
            try:
                sock.accept()[0].close()
            except BlockingIOError:
                return False
            return True

        yield sock.getsockname()[1], contacted


def test_a_login_without_tls_is_refused_even_on_loopback(tmp_path):
    write_config(tmp_path, security="none")
    with listener() as (port, contacted):
        run = masthead("email", SEED, "--send-test", READER, "--smtp", f"127.0.0.1:{port}",
                       cwd=tmp_path, env={"MASTHEAD_SMTP_PASSWORD": PASSWORD})  # fmt: skip
        line = error_line(run)
        assert not contacted()
    assert f"refusing to log in to the SMTP server 127.0.0.1:{port} without TLS" in line


def test_a_password_in_the_config_file_is_refused(tmp_path):
    write_config(tmp_path, extra='password = "hunter2"\n')
    with listener() as (port, contacted):
        run = masthead("email", SEED, "--send-test", READER, "--smtp", f"127.0.0.1:{port}",
                       cwd=tmp_path, env={"MASTHEAD_SMTP_PASSWORD": PASSWORD})  # fmt: skip
        line = error_line(run)
        assert not contacted()
    assert "masthead.toml:8: 'smtp.password' is not read from the config file" in line
    assert "set the environment variable MASTHEAD_SMTP_PASSWORD instead" in line
    assert "hunter2" not in line
    # Every command reads the config: the refusal is not only --send-test's.
    assert error_line(masthead("email", SEED, cwd=tmp_path)) == line


def test_a_username_without_the_password_variable_is_refused(tmp_path):
    write_config(tmp_path)
    with listener() as (port, contacted):
        run = masthead("email", SEED, "--send-test", READER, "--smtp", f"127.0.0.1:{port}",
                       cwd=tmp_path)  # fmt: skip
        line = error_line(run)
        assert not contacted()
    assert "[smtp] username is 'ledger' but MASTHEAD_SMTP_PASSWORD is not set" in line


def test_no_sender_address_says_what_to_set(tmp_path):
    (tmp_path / "masthead.toml").write_text('[smtp]\nsecurity = "none"\n', encoding="utf-8")
    with listener() as (port, contacted):
        run = masthead("email", SEED, "--send-test", READER, "--smtp", f"127.0.0.1:{port}",
                       cwd=tmp_path)  # fmt: skip
        line = error_line(run)
        assert not contacted()
    assert "no sender address for the test email: set [sender] address in masthead.toml" in line


def test_no_server_says_what_to_set(tmp_path):
    write_config(tmp_path, username="")
    line = error_line(masthead("email", SEED, "--send-test", READER, cwd=tmp_path))
    assert "set [smtp] host in masthead.toml, or pass --smtp HOST[:PORT]" in line


@pytest.mark.parametrize(
    ("address", "fragment"),
    [
        ("you@example.com\r\nBcc: them@example.net", "one address on one line"),
        ("you@example.com\nRCPT TO:<them@example.net>", "one address on one line"),
        ("you@example.com, them@example.net", "must be one address"),
        ("you@example.com;them@example.net", "must be one address"),
        ("Your Name <you@example.com>", "must be a bare address"),
        ("you@example.com>", "must be a bare address"),
        ("not-an-address", "must be an email address"),
        ("", "must be an email address"),
    ],
)
def test_a_bad_address_is_a_usage_error_and_nothing_is_sent(tmp_path, address, fragment):
    write_config(tmp_path, security="none", username="")
    with listener() as (port, contacted):
        run = masthead("email", SEED, "--send-test", address, "--smtp", f"127.0.0.1:{port}",
                       cwd=tmp_path)  # fmt: skip
        assert not contacted()
    assert run.returncode == 2, run.stderr
    stderr = run.stderr.decode()
    assert "--send-test" in stderr and fragment in stderr and "Traceback" not in stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("smtp.example.com", ("smtp.example.com", None)),
        ("smtp.example.com:2525", ("smtp.example.com", 2525)),
        ("127.0.0.1:25", ("127.0.0.1", 25)),
        ("[::1]", ("::1", None)),
        ("[::1]:2525", ("::1", 2525)),
        ("[2001:db8::1]:465", ("2001:db8::1", 465)),
    ],
)
def test_smtp_host_and_port(value, expected):
    assert parse_server(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("::1", "in brackets"),
        ("2001:db8::1:25", "in brackets"),
        ("[::1", "[IPv6]:PORT"),
        ("[::1]2525", "[IPv6]:PORT"),
        ("[127.0.0.1]:25", "only an IPv6 address"),
        ("host:0", "from 1 to 65535"),
        ("host:70000", "from 1 to 65535"),
        ("host:25x", "from 1 to 65535"),
        (":25", "is missing"),
        ("smtp://host", "not a URL"),
        ("bad host", "host name"),
    ],
)
def test_a_bad_smtp_value_is_refused(value, fragment):
    with pytest.raises(ValueError, match=re.escape(fragment)):
        parse_server(value)


def test_a_bad_smtp_value_is_a_usage_error_through_the_cli(tmp_path):
    write_config(tmp_path, security="none", username="")
    run = masthead("email", SEED, "--send-test", READER, "--smtp", "::1", cwd=tmp_path)
    assert run.returncode == 2
    assert b"--smtp" in run.stderr and b"in brackets" in run.stderr


def test_send_test_does_not_combine_with_output_options(tmp_path):
    write_config(tmp_path, security="none", username="")
    for extra in (["--eml"], ["--text"], ["-o", "x.html"]):
        run = masthead("email", SEED, "--send-test", READER, *extra, cwd=tmp_path)
        assert run.returncode == 2 and b"does not combine" in run.stderr
    run = masthead("email", SEED, "--smtp", "localhost", cwd=tmp_path)
    assert run.returncode == 2 and b"--send-test ADDRESS" in run.stderr
    assert not (tmp_path / "x.html").exists()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[smtp]\nsecurity = "tls"\n', "'smtp.security' must be one of: starttls, ssl, none"),
        ("[smtp]\nport = 70000\n", "'smtp.port' must be a port"),
        ('[smtp]\nhost = "smtp.example.com:587"\n', "'smtp.host' must be a host name"),
        ('[smtp]\nhost = "smtp://smtp.example.com"\n', "not a URL"),
    ],
)
def test_smtp_settings_are_validated(tmp_path, text, fragment):
    (tmp_path / "masthead.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(fragment)):
        load_config(tmp_path / "masthead.toml")


def test_init_writes_the_smtp_table_without_a_password(tmp_path):
    run = masthead("init", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    text = (tmp_path / "masthead.toml").read_text(encoding="utf-8")
    table = text[text.index("[smtp]") :]
    assert 'security = "starttls"' in table and "MASTHEAD_SMTP_PASSWORD" in table
    assert not re.search(r"^password\s*=", table, re.M)


def test_a_silent_server_times_out_with_one_error(tmp_path):
    """A server that accepts the connection and never greets (as an "ssl"
    port does to a "starttls" client): a short timeout, then one error."""
    with listener() as (port, _):
        box = Outbox(READER, Server("127.0.0.1", port, "starttls"))
        eml = eml_of(tmp_path)
        with pytest.raises(SendError, match=r"did not answer within 0\.5 s \(on connecting\)"):
            send(eml, box, timeout=0.5)


def config_with(smtp: str) -> Config:
    return parse_config(f'[sender]\naddress = "{SENDER}"\n[smtp]\n{smtp}')


@pytest.mark.parametrize(
    ("smtp", "override", "address"),
    [
        ('host = "smtp.example.com"\n', None, "smtp.example.com:587"),
        ('host = "smtp.example.com"\nsecurity = "ssl"\n', None, "smtp.example.com:465"),
        ('host = "localhost"\nsecurity = "none"\n', None, "localhost:25"),
        ('host = "smtp.example.com"\nport = 2525\n', None, "smtp.example.com:2525"),
        ('host = "[::1]"\nport = 2525\n', None, "[::1]:2525"),
        # --smtp replaces host and port together: the config's port was its host's.
        ('host = "smtp.example.com"\nport = 2525\n', "mail.example.net", "mail.example.net:587"),
        ('host = "smtp.example.com"\n', "[2001:db8::1]:465", "[2001:db8::1]:465"),
        ("", "mail.example.net:25", "mail.example.net:25"),
    ],
)
def test_the_server_and_its_default_port(smtp, override, address):
    box = outbox(config_with(smtp), READER, override, "")
    assert box.server.address == address
    assert box.recipient == READER


def test_the_password_goes_only_with_a_username():
    box = outbox(config_with(f'host = "h.example"\nusername = "{USER}"\n'), READER, None, "pw")
    assert (box.server.username, box.server.password) == (USER, "pw")
    assert "pw" not in repr(box)
    box = outbox(config_with('host = "h.example"\n'), READER, None, "pw")
    assert (box.server.username, box.server.password) == ("", "")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("localhost", True),
        ("LOCALHOST.", True), ("mail.localhost", False), ("192.0.2.1", False),
        ("2001:db8::1", False), ("localhost.example.com", False), ("10.0.0.1", False),
    ],
)  # fmt: skip
def test_which_hosts_are_this_machine(host, loopback):
    assert is_loopback(host) is loopback


def test_parse_recipient_keeps_a_plain_address():
    assert parse_recipient("you@example.com") == "you@example.com"


def test_sending_imports_nothing_until_it_sends(tmp_path):
    """smtplib and ssl cost start-up time: the other commands never load them,
    and `email` without --send-test neither."""
    code = (
        "import sys\n"
        "from generator.cli import app\n"
        f"app(['email', {str(SEED)!r}, '-o', 'out.html'], standalone_mode=False)\n"
        "loaded = {'smtplib', 'ssl', 'generator.publish.smtp'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    run = subprocess.run(
        [*PYTHON, "-c", code], capture_output=True, timeout=60, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
