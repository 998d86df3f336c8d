"""A development time-stamping authority: ``openssl ts -reply`` behind a loopback HTTP server.

For ``make run`` and for tests only. Everything it makes says so: the certificates'
subjects carry ``DEV_TSA_LABEL``, its policy OID is under the ITU-T "example" arc 2.999,
every HTTP reply has an ``X-Development-TSA`` header, and its directory holds a README.
Nothing it signs is evidence.

``DevTSA.create(directory)`` writes (once; later calls reuse the files):

- ``root.pem``, ``root.key``: a self-signed root CA (basicConstraints cA, keyCertSign);
- ``tsa.pem``, ``tsa.key``: the TSA certificate issued by that root, with an extended
  key usage of only id-kp-timeStamping, critical (RFC 3161 §2.3);
- ``tsa.cnf``: the ``openssl ts`` configuration (SHA-256 signer digest, ESS
  signing-certificate-v2, TSA name, accuracy 1 s, certificates in the reply);
- ``devtsa.json``: the options the files were made with.

Keys are mode 0600. The server answers ``POST /`` with ``Content-Type:
application/timestamp-query`` (RFC 3161 §3.4) by running ``openssl ts -reply`` on the
query, and returns ``application/timestamp-reply``.

The CA and the TSA certificate come from ``ledger.devpki`` (ECDSA P-256 by default; RSA
of 3072 bits when asked for), like the development issuer's; the root's key is kept so
that it issues the CRLs a B-LTA certificate of evidence embeds.

``create`` also takes ``eku`` ("critical", "noncritical", "none") and ``ca`` (the
directory of another DevTSA whose root issues this TSA's certificate), for tests of
certificates that a TSA should not have. ``openssl ts -reply`` will not sign with a
certificate lacking a critical timeStamping EKU: for those the TSTInfo is assembled here
(asn1crypto) and ``openssl cms -sign -cades`` signs it, so the crypto is openssl's
throughout. The misbehaving TSAs of the fault-injection tests (slow, HTTP 500, garbage,
rejections, wrong nonce or imprint, a flipped signature byte, genTime off) live in the
tests (``tests/faulty_tsa.py``), as subclasses of ``DevTSA`` that override ``reply`` and
``answer``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self, get_args

from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ledger import devpki

DEV_TSA_LABEL = devpki.DEV_TSA_LABEL
DEV_ROOT_LABEL = devpki.DEV_TSA_ROOT_LABEL
DEV_ORGANIZATION = devpki.DEV_ORGANIZATION
DEV_POLICY_OID = "2.999.3161.1"  # under joint-iso-itu-t example(999): never a real policy
TST_INFO_OID = "1.2.840.113549.1.9.16.1.4"
HEADER = "X-Development-TSA"  # HTTP headers are Latin-1: the label without its em dash
HEADER_VALUE = DEV_TSA_LABEL.replace("—", "-")

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
MAX_QUERY_BYTES = 64 * 1024  # a query is about 60 bytes; extensions add little
OPENSSL_TIMEOUT = 10.0

KeyType = devpki.KeyType
Eku = devpki.Eku
PrivateKey = devpki.PrivateKey

_SAFE_PATH = re.compile(r"[A-Za-z0-9_./+-]+")  # nothing openssl.cnf would expand or cut


class DevTSAError(Exception):
    """The development TSA cannot be created or cannot answer."""


@dataclass(frozen=True)
class _Options:
    key_type: str
    eku: str
    ca: str | None  # the directory whose root issued the TSA certificate, or None: our own


# --- files -----------------------------------------------------------------------------


def make_root(key: PrivateKey, now: datetime) -> x509.Certificate:
    """A self-signed root CA: basicConstraints cA (path length 0), keyCertSign and cRLSign."""
    return devpki.make_ca(key, DEV_ROOT_LABEL, now)


def make_tsa_certificate(
    key: PrivateKey,
    root: x509.Certificate,
    root_key: PrivateKey,
    now: datetime,
    eku: Eku = "critical",
) -> x509.Certificate:
    """The TSA certificate: keyUsage digitalSignature, EKU timeStamping as ``eku`` says."""
    return devpki.issue_certificate(key, root, root_key, DEV_TSA_LABEL, "tsa", now, eku=eku)


def _openssl_config(directory: Path) -> str:
    """``openssl ts`` configuration (openssl-ts(1), "CONFIGURATION FILE OPTIONS")."""
    return f"""\
# {DEV_TSA_LABEL}
# openssl ts -reply configuration of the Evidence Ledger development TSA.
[ tsa ]
default_tsa = devtsa

[ devtsa ]
dir = {directory}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/root.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = {DEV_POLICY_OID}
digests = sha256, sha384, sha512
accuracy = secs:1
clock_precision_digits = 0
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _readme() -> str:
    return (
        f"{DEV_TSA_LABEL}\n\n"
        "This directory holds a development time-stamping authority made by\n"
        "ledger.anchoring.devtsa: its root CA and keys are generated locally and trusted by\n"
        "nobody. Tokens it signs prove nothing about time; never present them as evidence.\n"
    )


# --- the TSA ---------------------------------------------------------------------------


class DevTSA:
    """A development TSA in ``directory``; ``start()`` serves it over HTTP on loopback."""

    def __init__(
        self,
        directory: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        openssl: str | None = None,
        quiet: bool = True,
    ) -> None:
        self.directory = Path(directory).resolve()
        stamp = self.directory / "devtsa.json"
        for path in (self.config, self.root_pem, self.tsa_pem, self.tsa_key, stamp):
            if not path.is_file():
                raise DevTSAError(f"{path} is missing: make the TSA with DevTSA.create")
        self.options = _Options(**json.loads(stamp.read_text(encoding="utf-8")))
        self.host = host
        self.port = port
        self.quiet = quiet
        found = openssl or shutil.which("openssl") or "/usr/bin/openssl"
        self.openssl = found
        self._lock = threading.Lock()  # openssl ts -reply rewrites the serial file
        self.stopping = threading.Event()  # set by stop(): a waiting answer gives up
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # files

    @property
    def root_pem(self) -> Path:
        return self.directory / "root.pem"

    @property
    def tsa_pem(self) -> Path:
        return self.directory / "tsa.pem"

    @property
    def tsa_key(self) -> Path:
        return self.directory / "tsa.key"

    @property
    def config(self) -> Path:
        return self.directory / "tsa.cnf"

    @property
    def root_certificate(self) -> bytes:
        """The root CA certificate, PEM: the trust root that verifies this TSA's tokens."""
        return self.root_pem.read_bytes()

    @classmethod
    def create(
        cls,
        directory: Path,
        key_type: KeyType | None = None,
        *,
        eku: Eku = "critical",
        ca: Path | None = None,
        **kwargs: Any,
    ) -> Self:
        """The TSA in ``directory``, generating its CA, certificate and config if absent.

        Idempotent: existing files are reused when they were made with the same options
        (``DevTSAError`` if not). ``key_type`` None: the existing TSA's (a directory made
        before P-256 became the default keeps its RSA key, so that its old anchors still
        verify), else "ec". ``ca`` is another DevTSA directory whose root CA
        (``root.pem``/``root.key``) issues this TSA's certificate instead of a new root.
        ``kwargs`` are those of the class (``DevTSA()``: host, port, openssl, quiet).
        """
        directory = Path(directory).resolve()
        ca_dir = Path(ca).resolve() if ca is not None else None
        stamp = directory / "devtsa.json"
        if key_type is None:
            made_with = json.loads(stamp.read_text(encoding="utf-8")) if stamp.is_file() else {}
            key_type = "rsa" if made_with.get("key_type") == "rsa" else "ec"
        options = _Options(key_type, eku, str(ca_dir) if ca_dir else None)
        if eku not in get_args(Eku):
            raise DevTSAError(f"eku must be one of {get_args(Eku)}, not {eku!r}")
        if not _SAFE_PATH.fullmatch(str(directory)):
            raise DevTSAError(f"{directory}: use a path of letters, digits and _ . / + - only")
        if stamp.is_file():
            made = _Options(**json.loads(stamp.read_text(encoding="utf-8")))
            if made != options:
                raise DevTSAError(
                    f"{directory} holds a development TSA made with {asdict(made)}, "
                    f"not {asdict(options)}: use another directory"
                )
        else:
            _generate(directory, options, ca_dir)
        return cls(directory, **kwargs)

    # answering

    def answer(self, query: bytes) -> tuple[int, str, bytes] | None:
        """The HTTP status, content type and body for a query (None: drop the
        connection without an answer)."""
        try:
            return 200, REPLY_TYPE, self.reply(query)
        except DevTSAError as e:
            return 500, "text/plain; charset=utf-8", (str(e) + "\n").encode("utf-8")

    def reply(self, query: bytes) -> bytes:
        """The DER TimeStampResp for a DER TimeStampReq (no HTTP)."""
        # openssl ts -reply refuses a signer certificate without a critical timeStamping
        # EKU: then openssl cms -sign signs instead.
        if self.options.eku != "critical":
            return self.cms_reply(query, datetime.now(UTC))
        return self._openssl_reply(query)

    def _openssl(self, *args: str) -> None:
        command = [self.openssl, *args]
        what = " ".join(command[:3])
        try:
            done = subprocess.run(  # noqa: S603  fixed program, our own files
                command, capture_output=True, timeout=OPENSSL_TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as e:
            raise DevTSAError(f"{what} failed: {e}") from e
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip()
            raise DevTSAError(f"{what} exited {done.returncode}: {message}")

    def _openssl_reply(self, query: bytes) -> bytes:
        """``openssl ts -reply``: the TSA as openssl implements RFC 3161."""
        with self._lock, tempfile.TemporaryDirectory(prefix="devtsa-") as tmp:
            query_file, reply_file = Path(tmp) / "query.tsq", Path(tmp) / "reply.tsr"
            query_file.write_bytes(query)
            self._openssl(
                "ts", "-reply", "-config", str(self.config),
                "-queryfile", str(query_file), "-out", str(reply_file),
            )  # fmt: skip
            return reply_file.read_bytes()

    def _next_serial(self) -> int:
        """The serial number from openssl's serial file (hex), which is then advanced."""
        path = self.directory / "serial"
        serial = int(path.read_text(encoding="ascii").strip() or "1", 16)
        path.write_text(f"{serial + 1:02X}\n", encoding="ascii")
        return serial

    def cms_reply(self, query: bytes, now: datetime) -> bytes:
        """The TSTInfo built here, with genTime ``now``, signed by ``openssl cms -sign``
        (RFC 3161 over RFC 5652).

        For what ``openssl ts -reply`` will not do: sign with a certificate whose EKU is
        absent or not critical, or stamp another time than the present. The CMS
        signature, its signed attributes and ESS signing-certificate-v2 (``-cades``) are
        openssl's; only the TSTInfo is assembled in Python.
        """
        try:
            request = tsp.TimeStampReq.load(query, strict=True)
            imprint = request["message_imprint"]
            algorithm = imprint["hash_algorithm"]["algorithm"].native
            imprint.native  # noqa: B018  parse it all now
            nonce = request["nonce"].native
            cert_req = bool(request["cert_req"].native)
        except (ValueError, TypeError, KeyError) as e:
            return rejection(f"bad request: {e}", "bad_data_format")
        if algorithm not in ("sha256", "sha384", "sha512"):
            return rejection(f"message imprint hash {algorithm} not accepted", "bad_alg")
        cert = x509.load_pem_x509_certificate(self.tsa_pem.read_bytes())
        subject = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)).subject
        with self._lock, tempfile.TemporaryDirectory(prefix="devtsa-") as tmp:
            tst = {
                "version": "v1",
                "policy": DEV_POLICY_OID,
                "message_imprint": imprint,
                "serial_number": self._next_serial(),
                "gen_time": now.replace(microsecond=0),
                "accuracy": {"seconds": 1},
                "nonce": nonce,
                "tsa": asn1_x509.GeneralName(name="directory_name", value=subject),
            }
            tst_file, token_file = Path(tmp) / "tstinfo.der", Path(tmp) / "token.der"
            tst_file.write_bytes(tsp.TSTInfo(tst).dump())
            certs = ["-certfile", str(self.root_pem)] if cert_req else ["-nocerts"]
            self._openssl(
                "cms", "-sign", "-binary", "-nodetach", "-cades", "-nosmimecap",
                "-md", "sha256", "-econtent_type", TST_INFO_OID,
                "-in", str(tst_file), "-signer", str(self.tsa_pem), "-inkey", str(self.tsa_key),
                *certs, "-outform", "DER", "-out", str(token_file),
            )  # fmt: skip
            token = cms.ContentInfo.load(token_file.read_bytes())
        response = tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token})
        return bytes(response.dump())

    # serving

    @property
    def url(self) -> str:
        if self._server is None:
            raise DevTSAError("the development TSA is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def bind(self) -> str:
        """Open the listening socket (port 0: a free one); the URL to POST queries to."""
        if self._server is None:
            self.stopping.clear()
            self._server = _Server((self.host, self.port), _Handler, self)
        return self.url

    def start(self) -> str:
        """Serve in a background thread; the URL to POST queries to."""
        if self._thread is None:
            self.bind()
            assert self._server is not None  # noqa: S101  bind() set it
            self._thread = threading.Thread(
                target=self._server.serve_forever, name="devtsa", daemon=True
            )
            self._thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving and free the port; requests sleeping in "slow" mode end at once."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        self.stopping.set()
        if thread is not None:  # shutdown() waits for serve_forever(): only if it runs
            server.shutdown()
            thread.join(timeout=5)
        server.server_close()

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (the ``python -m`` entry point)."""
        self.bind()
        assert self._server is not None  # noqa: S101  bind() set it
        try:
            self._server.serve_forever()
        finally:
            self.stopping.set()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _generate(directory: Path, options: _Options, ca_dir: Path | None) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    key_type: KeyType = "ec" if options.key_type == "ec" else "rsa"
    if options.key_type not in get_args(KeyType):
        raise DevTSAError(f"key_type must be 'rsa' or 'ec', not {options.key_type!r}")
    if ca_dir is None:
        root_key = devpki.new_key(key_type)
        root = make_root(root_key, now)
    else:
        try:
            root = x509.load_pem_x509_certificate((ca_dir / "root.pem").read_bytes())
            loaded = serialization.load_pem_private_key(
                (ca_dir / "root.key").read_bytes(), password=None
            )
        except (OSError, ValueError) as e:
            raise DevTSAError(f"cannot use the CA in {ca_dir}: {e}") from e
        if not isinstance(loaded, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise DevTSAError(f"the CA key in {ca_dir} is neither RSA nor EC")
        root_key = loaded
    key = devpki.new_key(key_type)
    eku: Eku = "noncritical" if options.eku == "noncritical" else "critical"
    cert = make_tsa_certificate(key, root, root_key, now, "none" if options.eku == "none" else eku)
    (directory / "root.pem").write_bytes(devpki.pem(root))
    devpki.write_secret(directory / "root.key", devpki.key_pem(root_key))
    (directory / "tsa.pem").write_bytes(devpki.pem(cert))
    devpki.write_secret(directory / "tsa.key", devpki.key_pem(key))
    (directory / "serial").write_text("01\n", encoding="ascii")
    (directory / "tsa.cnf").write_text(_openssl_config(directory), encoding="utf-8")
    (directory / "README.txt").write_text(_readme(), encoding="utf-8")
    # Last: its presence says that the directory is complete.
    (directory / "devtsa.json").write_text(json.dumps(asdict(options)) + "\n", encoding="utf-8")


# --- a refusal ------------------------------------------------------------------------


def rejection(text: str, fail_info: str = "bad_request") -> bytes:
    """A TimeStampResp with PKIStatus rejection and no token (RFC 3161 §2.4.2)."""
    status = tsp.PKIStatusInfo(
        {"status": "rejection", "status_string": [text], "fail_info": {fail_info}}
    )
    # asn1crypto declares timeStampToken mandatory; RFC 3161 makes it OPTIONAL, and a
    # rejection has none: the SEQUENCE holds the status only.
    return b"\x30" + _der_length(len(status.dump())) + status.dump()


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


# --- HTTP ------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for a "slow" request

    def __init__(self, address: tuple[str, int], handler: type[_Handler], tsa: DevTSA) -> None:
        self.tsa = tsa
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "EvidenceLedgerDevTSA/1"

    def do_POST(self) -> None:
        tsa = self.server.tsa
        if self.path.split("?")[0] != "/":
            self._fail(404, "POST queries to /")
            return
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type != QUERY_TYPE:
            self._fail(415, f"Content-Type must be {QUERY_TYPE}")
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._fail(411, "Content-Length required")
            return
        if not 0 < length <= MAX_QUERY_BYTES:
            self._fail(413, f"a query has 1 to {MAX_QUERY_BYTES} bytes")
            return
        answer = tsa.answer(self.rfile.read(length))
        if answer is not None:
            self._send(*answer)

    def do_GET(self) -> None:
        self._fail(405, "POST a timestamp query to /")

    def _fail(self, status: int, message: str) -> None:
        self._send(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header(HEADER, HEADER_VALUE)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        if not self.server.tsa.quiet:
            super().log_message(format, *args)


# --- command line ----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ledger.anchoring.devtsa", description=f"{DEV_TSA_LABEL}."
    )
    parser.add_argument("--dir", type=Path, default=Path("var/devtsa"), help="its files")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--key-type", choices=get_args(KeyType), default=None, help="default: ec, or as made"
    )
    args = parser.parse_args(argv)
    try:
        tsa = DevTSA.create(args.dir, args.key_type, host=args.host, port=args.port, quiet=False)
        url = tsa.bind()
    except (DevTSAError, OSError) as e:
        print(f"devtsa: {e}", file=sys.stderr)
        return 1
    print(f"{DEV_TSA_LABEL}: {url} (trust root {tsa.root_pem})", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        tsa.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
