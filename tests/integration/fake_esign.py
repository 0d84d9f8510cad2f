"""A local HTTPS server that answers as DocuSign's OAuth and eSignature REST API do, enough
for Tender's send: the JWT grant (POST /oauth/token), looking for envelopes by custom field
(GET …/envelopes), creating one (POST …/envelopes) and voiding one (PUT …/envelopes/{id}).

It keeps every request it was sent, and answers from a script where a test gives one (a
status with headers, or a delay longer than the client's time-out), else as DocuSign would.
HTTPS because the SDK always speaks https:// to the OAuth host: the certificate is made per
test run and trusted through DOCUSIGN_CA_BUNDLE.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

ACCOUNT = "0c0e1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
TOKEN = "test-access-token"


@dataclass
class Seen:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)

    def form(self) -> dict:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Answer:
    status: int = 200
    headers: dict = field(default_factory=dict)
    body: dict | None = None
    delay: float = 0.0  # seconds before answering: past the client's time-out, a create
    #                     answering 2xx late has still created its envelope; an error has not


class FakeESign:
    def __init__(self, folder: Path):
        self.folder = folder
        self.cert_path, key_path = self._certificate(folder)
        self.private_key_path, self.public_key = self._rsa_key(folder)
        self.seen: list[Seen] = []
        self.envelopes: dict[str, dict] = {}  # id -> {"definition", "status"}
        self.script: dict[str, list[Answer]] = {}  # "token" / "find" / "create" / "void"
        self.lock = threading.Lock()
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, address: None  # a client gone after a time-out
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_path, key_path)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    # ---- what Tender is configured with ------------------------------------------------------

    def config(self) -> dict:
        return {"DOCUSIGN_INTEGRATION_KEY": "4c3a2b1d-integration-key",
                "DOCUSIGN_USER_ID": "9f8e7d6c-api-user", "DOCUSIGN_ACCOUNT_ID": ACCOUNT,
                "DOCUSIGN_PRIVATE_KEY_PATH": str(self.private_key_path),
                "DOCUSIGN_BASE_PATH": f"https://127.0.0.1:{self.port}/restapi",
                "DOCUSIGN_OAUTH_HOST": f"127.0.0.1:{self.port}",
                "DOCUSIGN_CA_BUNDLE": str(self.cert_path), "DOCUSIGN_TIMEOUT": 0.5,
                "DOCUSIGN_ATTEMPTS": 3, "DOCUSIGN_RETRY_MAX_WAIT": 10}

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def requests(self, kind: str) -> list[Seen]:
        return [s for s in self.seen if self._kind(s.method, s.path) == kind]

    def live(self) -> list[str]:
        return [i for i, e in self.envelopes.items() if e["status"] != "voided"]

    # ---- the answers -------------------------------------------------------------------------

    @staticmethod
    def _kind(method: str, path: str) -> str | None:
        envelopes = f"/restapi/v2.1/accounts/{ACCOUNT}/envelopes"
        if method == "POST" and path == "/oauth/token":
            return "token"
        if path == envelopes:
            return {"GET": "find", "POST": "create"}.get(method)
        if method == "PUT" and path.startswith(envelopes + "/"):
            return "void"
        return None

    def _answer(self, seen: Seen) -> tuple[Answer, dict | None]:
        kind = self._kind(seen.method, seen.path)
        with self.lock:
            queue = self.script.get(kind) or []
            scripted = queue.pop(0) if queue else None
        if scripted is not None and scripted.status >= 300:
            return scripted, scripted.body or {"errorCode": "SCRIPTED", "message": "scripted"}
        answer = scripted or Answer()
        if kind == "token":
            return answer, {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600}
        if kind == "find":
            name, _, value = seen.query.get("custom_field", ["="])[0].partition("=")
            found = [{"envelopeId": i, "status": e["status"],
                      "customFields": e["definition"].get("customFields") or {}}
                     for i, e in self.envelopes.items()
                     if any(f.get("name") == name and f.get("value") == value for f in
                            (e["definition"].get("customFields") or {})
                            .get("textCustomFields", []))]
            return answer, {"resultSetSize": str(len(found)), "totalSetSize": str(len(found)),
                            "envelopes": found} if found else {"resultSetSize": "0"}
        if kind == "create":
            envelope_id = str(uuid.uuid4())
            with self.lock:
                self.envelopes[envelope_id] = {"definition": seen.json(), "status": "sent"}
            if answer.status < 300:
                answer = Answer(201, answer.headers, None, answer.delay)
            return answer, {"envelopeId": envelope_id, "status": "sent",
                            "uri": f"/envelopes/{envelope_id}",
                            "statusDateTime": dt.datetime.now(dt.timezone.utc).isoformat()}
        if kind == "void":
            envelope_id = seen.path.rsplit("/", 1)[1]
            with self.lock:
                self.envelopes[envelope_id]["status"] = seen.json()["status"]
            return answer, {"envelopeId": envelope_id}
        return Answer(404), {"errorCode": "NOT_FOUND", "message": seen.path}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _serve(self):
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(self.command, url.path, parse_qs(url.query),
                            {k.lower(): v for k, v in self.headers.items()},
                            self.rfile.read(length))
                fake.seen.append(seen)
                answer, body = fake._answer(seen)
                if answer.delay:
                    time.sleep(answer.delay)
                data = json.dumps(body).encode() if body is not None else b""
                try:
                    self.send_response(answer.status)
                    for k, v in answer.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up waiting

            do_GET = do_POST = do_PUT = _serve

        return Handler

    # ---- keys ------------------------------------------------------------------------------

    @staticmethod
    def _certificate(folder: Path) -> tuple[Path, Path]:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
        now = dt.datetime.now(dt.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(minutes=5))
                .not_valid_after(now + dt.timedelta(days=1))
                .add_extension(x509.SubjectAlternativeName(
                    [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .sign(key, hashes.SHA256()))
        cert_path, key_path = folder / "esign-cert.pem", folder / "esign-key.pem"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        return cert_path, key_path

    @staticmethod
    def _rsa_key(folder: Path):
        """The integration's throwaway RSA key pair (DocuSign would keep the public half)."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path = folder / "integration-private-key.pem"
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
        return path, key.public_key()
