"""Outbound webhooks reach public addresses only (ledger.outbound.addresses), checked at
creation and at connect time; a receiver's answer is kept as status and length only.

The receivers are real HTTP(S) servers on loopback: without
``LEDGER_OUTBOUND_ALLOW_PRIVATE=1`` they must get nothing.
"""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import json
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import Flask
from flask.testing import FlaskClient

from ledger.app import create_app
from ledger.outbound import addresses, subscriptions
from ledger.outbound.delivery import DeliveryWorker, Policy, post
from ledger.service import Ledger
from tests.conftest import Keys, event, initialise, make_settings
from tests.ledger.helpers import run
from tests.ledger.outbound.helpers import Receiver, append, deliveries
from tests.server import LedgerServer

REFUSED_URLS = [
    "http://127.0.0.1/hook",
    "http://127.1.2.3:8080/hook",
    "http://localhost/hook",
    "http://LOCALHOST./hook",
    "http://api.localhost/hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:7f00:1]/hook",
    "http://0x7f000001/hook",
    "http://2130706433/hook",
    "http://0177.0.0.1/hook",
    "http://127.1/hook",
    "http://0.0.0.0/hook",
    "http://[::]/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.1/hook",
    "http://192.168.1.1/hook",
    "http://[fd00::1]/hook",
    "http://100.64.0.1/hook",
    "http://224.0.0.1/hook",
    "http://[ff02::1]/hook",
    "http://240.0.0.1/hook",
    "http://255.255.255.255/hook",
    "http://192.0.2.1/hook",  # documentation
    "http://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
]


def loopback_names() -> list[str]:
    """Names this host's /etc/hosts maps to loopback, besides localhost itself."""
    names = []
    for line in Path("/etc/hosts").read_text().splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) < 2:
            continue
        try:
            loopback = ipaddress.ip_address(fields[0]).is_loopback
        except ValueError:
            continue
        names += [n for n in fields[1:] if loopback and "localhost" not in n]
    return names


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_creation_refuses_non_public_destinations(app: Flask, keys: Keys, url: str) -> None:
    code, out = run(
        app, "subscription", "create", "--tenant", "acme", "--url", url,
        "--events", "entry.appended",
    )  # fmt: skip
    assert code != 0, out
    assert "public addresses only" in out
    assert run(app, "subscription", "list")[1] == ""


def test_creation_refuses_names_that_resolve_to_loopback(app: Flask, keys: Keys) -> None:
    names = loopback_names()
    assert names, "no name maps to loopback in /etc/hosts"
    for name in names:
        code, out = run(
            app, "subscription", "create", "--tenant", "acme", "--url", f"https://{name}/x",
            "--events", "entry.appended",
        )  # fmt: skip
        assert code != 0, (name, out)
        assert f"{name} (127." in out or f"{name} (::1)" in out


def test_public_addresses_and_unresolvable_names_are_accepted() -> None:
    for url in ("https://93.184.215.14/in", "https://[2606:4700::1111]/in", "https://erp.invalid/"):
        addresses.check_destination(url, allow_private=False)


def test_connect_time_refuses_what_creation_allowed(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    """A subscription made while private addresses were allowed (or whose name resolved
    to a public address then): the worker checks again and sends nothing."""
    service: Ledger = app.extensions["ledger"]
    with Receiver() as receiver:
        for url in (receiver.url, receiver.url.replace("127.0.0.1", "localhost")):
            with service.db.writing() as conn:
                subscriptions.create_subscription(
                    conn, "acme", url, ["entry.appended"], allow_private=True
                )
        append(client, keys, event(1))
        sender = DeliveryWorker(service.db, Policy(5, 0, 0, 8))  # private: refused
        assert sender.run_once() == 2
        assert receiver.received == []
    rows = deliveries(service.db)
    assert {r.status for r in rows} == {"pending"}
    errors = sorted(r.last_error for r in rows)
    assert "127.0.0.1 is a loopback address" in errors[0]
    assert "localhost is loopback" in errors[1]


def test_healthz_says_whether_private_destinations_are_allowed(
    client: FlaskClient, db_url: str, tmp_path: Path
) -> None:
    assert client.get("/healthz").get_json()["outbound"] == {"private_addresses": "refused"}
    other_url = f"sqlite:///{tmp_path / 'other' / 'ledger.db'}"
    allowed = make_settings(other_url, tmp_path / "other", outbound_allow_private="1")
    initialise(allowed)
    other = create_app(allowed)
    try:
        body = other.test_client().get("/healthz").get_json()
    finally:
        other.extensions["ledger"].close()
    assert body["outbound"] == {"private_addresses": "allowed"}


class Answering:
    """A receiver that answers 500 with text of its own (a forged log line, a secret)."""

    TEXT = b"[CRITICAL] forged line\ninternal token=s3cr3t \x1b[2J"

    def __init__(self) -> None:
        answer = self.TEXT

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(500)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/in"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_the_receiver_s_answer_is_kept_as_status_and_length_only(
    app: Flask, client: FlaskClient, keys: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    service: Ledger = app.extensions["ledger"]
    receiver = Answering()
    try:
        with service.db.writing() as conn:
            subscriptions.create_subscription(
                conn, "acme", receiver.url, ["entry.appended"], allow_private=True
            )
        append(client, keys, event(1))
        sender = DeliveryWorker(service.db, Policy(5, 0, 0, 1, allow_private=True))
        assert sender.run_once() == 1
    finally:
        receiver.close()
    [row] = deliveries(service.db)
    assert row.status == "dead"
    assert row.last_error == f"HTTP 500, an answer of {len(Answering.TEXT)} bytes"
    code, out = run(app, "deliveries", "list", "--dead")
    assert code == 0
    assert "forged" not in out
    assert "s3cr3t" not in out
    assert "forged" not in caplog.text
    assert json.loads(out.splitlines()[0])["last_error"] == row.last_error


# -- connecting to the checked address, with the URL's name for Host and TLS ---------------


@pytest.fixture
def tls_receiver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """An HTTPS server on 127.0.0.1 with a certificate for "localhost" only, trusted through
    SSL_CERT_FILE; it records the SNI name and the Host header it was sent."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = tmp_path / "receiver.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile = tmp_path / "receiver.key"
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(pem))
    seen: dict[str, str] = {}
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pem, keyfile)

    def sni(_sock: object, server_name: str | None, _ctx: object) -> None:
        seen["sni"] = server_name or ""

    context.sni_callback = sni

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            seen["host"] = self.headers["Host"]
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    seen["port"] = str(server.server_address[1])
    yield seen
    server.shutdown()
    server.server_close()


def test_tls_keeps_the_url_s_name_for_sni_host_and_certificate(
    tls_receiver: dict[str, str],
) -> None:
    port = tls_receiver["port"]
    url = f"https://localhost:{port}/in"
    refused = post(url, {}, b"{}", 5)
    assert not refused.ok
    assert "public addresses only" in (refused.error or "")
    assert "host" not in tls_receiver
    outcome = post(url, {}, b"{}", 5, allow_private=True)
    assert outcome.ok, outcome.error
    assert tls_receiver["sni"] == "localhost"
    assert tls_receiver["host"] == f"localhost:{port}"
    # The address it connected to is not the name the certificate is for: refused by TLS.
    by_address = post(f"https://127.0.0.1:{port}/in", {}, b"{}", 5, allow_private=True)
    assert not by_address.ok
    assert "CERTIFICATE_VERIFY_FAILED" in (by_address.error or "")


# -- served ----------------------------------------------------------------------------------


def test_outbound_on_a_served_instance(db_url: str, tmp_path: Path) -> None:
    env = {"LEDGER_WEBHOOK_INTERVAL": "1", "LEDGER_ANCHOR_INTERVAL": "0"}
    with Receiver() as receiver, LedgerServer(db_url, tmp_path / "var", env=env) as server:
        url = receiver.url
        args = ["subscription", "create", "--tenant", "acme", "--url", url]
        refused = server.cli(*args, "--events", "entry.appended", check=False)
        assert refused.returncode != 0
        assert "public addresses only" in refused.stderr + refused.stdout
        # Made with the development setting; the service itself runs without it.
        server.env["LEDGER_OUTBOUND_ALLOW_PRIVATE"] = "1"
        out = server.cli(*args, "--events", "entry.appended").stdout.splitlines()
        del server.env["LEDGER_OUTBOUND_ALLOW_PRIVATE"]
        receiver.secrets.append(out[1])
        with server.client() as client:
            assert client.post("/v1/events", event(1))[0] == 201
            health = client.get("/healthz")[1]
        assert health["outbound"] == {"private_addresses": "refused"}
        end = time.monotonic() + 30
        listed: list[dict[str, object]] = []
        while time.monotonic() < end:
            text = server.cli("deliveries", "list").stdout
            listed = [json.loads(line) for line in text.splitlines()]
            if listed and listed[0]["last_error"]:
                break
            time.sleep(0.2)
        assert listed, "no delivery was attempted"
        assert "public addresses only" in str(listed[0]["last_error"])
        assert receiver.received == []
