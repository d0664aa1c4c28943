"""The local web server: standard library only (``http.server``), one thread per request.

Plumbing only: reading requests within limits, sessions and CSRF, security
headers, French error pages. What a page shows comes from
:mod:`spaser.web.views`, which only calls the public library.
"""

from __future__ import annotations

import re
import socket
import sys
import threading
import traceback
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from spaser.web.multipart import Form, MultipartError, parse_multipart
from spaser.web.sessions import Session, SessionStore
from spaser.web.worker import WorkerLimits

__all__ = [
    "MAX_UPLOAD_BYTES",
    "HttpError",
    "Request",
    "Response",
    "SpaserHTTPServer",
    "make_server",
    "SECURITY_HEADERS",
]

# Largest file accepted by the upload form (documented in the README, "Page web").
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# Room for the multipart envelope and the small text fields around the file.
_FORM_OVERHEAD = 64 * 1024
_CHUNK = 1024 * 1024
COOKIE_NAME = "spaser_session"
STATIC_DIR = Path(__file__).parent / "static"

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    (
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),  # not no-referrer: Chromium would then send "Origin: null" on our own POSTs
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)

_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml", ".ico": "image/x-icon"}
_LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


class HttpError(Exception):
    """An HTTP error to show as a French page."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    cacheable: bool = False  # only static assets


@dataclass
class Request:
    """What a view needs to know about one request."""

    method: str
    path: str
    query: dict[str, list[str]]
    session: Session | None
    handler: _Handler

    def form(self) -> Form:
        """Read and parse the multipart body, within MAX_UPLOAD_BYTES."""
        return self.handler.read_form()

    def new_session(self) -> Session:
        self.session = self.handler.new_session()
        return self.session

    @property
    def store(self) -> SessionStore:
        return self.handler.server.sessions


class _Handler(BaseHTTPRequestHandler):
    server: SpaserHTTPServer
    server_version = "spaser"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds without data from the client before the connection is dropped

    def version_string(self) -> str:
        return "spaser"

    # -- entry points ---------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def _dispatch(self, method: str) -> None:
        self._set_cookie: str | None = None
        try:
            self._check_host()
            url = urlsplit(self.path)
            if url.path.startswith("/static/") and method in ("GET", "HEAD"):
                resp = _static(url.path[len("/static/") :])
            else:
                request = Request(method, url.path, _query(url.query), self._session(), self)
                resp = self.server.app.handle(request)
        except HttpError as e:
            resp = self.server.app.error_page(e.status, e.title, e.message)
        except Exception:  # noqa: BLE001 - a French page, never a traceback, for the user
            self.server.log_error_trace()
            resp = self.server.app.error_page(
                500,
                "Erreur interne",
                "Une erreur inattendue s'est produite. Réessayez ; si le problème persiste, "
                "lancez « spaser check » sur le même fichier pour obtenir le détail.",
            )
        self._send(resp, head_only=method == "HEAD")

    # -- sessions -------------------------------------------------------
    def _session(self) -> Session | None:
        raw = self.headers.get("Cookie")
        if not raw:
            return None
        try:
            cookie = SimpleCookie(raw)
        except CookieError:
            return None
        morsel = cookie.get(COOKIE_NAME)
        return self.server.sessions.open(morsel.value) if morsel else None

    def new_session(self) -> Session:
        session = self.server.sessions.create()  # not stored: a cookieless request evicts nobody
        self._set_cookie = f"{COOKIE_NAME}={session.token}; Path=/; HttpOnly; SameSite=Strict"
        return session

    # -- request checks -------------------------------------------------
    def _check_host(self) -> None:
        """Refuse a Host that is not this server (DNS rebinding from a web page)."""
        if not self.server.check_host:
            return
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if name not in _LOOPBACK and name != self.server.bound_host:
            raise HttpError(400, "Requête refusée", "Adresse du serveur inattendue : ouvrez la page à l'adresse affichée par « spaser serve ».")

    def read_form(self) -> Form:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise HttpError(411, "Longueur requise", "Le navigateur doit indiquer la taille de l'envoi.")
        length_text = self.headers.get("Content-Length")
        if length_text is None or not length_text.strip().isdecimal():
            self.close_connection = True
            raise HttpError(411, "Longueur requise", "Le navigateur doit indiquer la taille de l'envoi.")
        length = int(length_text)
        limit = MAX_UPLOAD_BYTES + _FORM_OVERHEAD
        if length > limit:
            self.close_connection = True  # the body is not read: the connection cannot be reused
            raise HttpError(413, "Fichier trop volumineux", _too_large_message())
        chunks, received = [], 0
        while received < length:
            chunk = self.rfile.read(min(_CHUNK, length - received))
            if not chunk:
                self.close_connection = True
                raise HttpError(400, "Envoi interrompu", "L'envoi du fichier a été interrompu : réessayez.")
            received += len(chunk)
            if received > limit:  # cannot happen with an honest Content-Length; kept as a guard
                self.close_connection = True
                raise HttpError(413, "Fichier trop volumineux", _too_large_message())
            chunks.append(chunk)
        try:
            form = parse_multipart(b"".join(chunks), self.headers.get("Content-Type") or "")
        except MultipartError as e:
            raise HttpError(400, "Formulaire invalide", f"Formulaire invalide : {e}") from None
        for upload in form.files.values():
            if len(upload.data) > MAX_UPLOAD_BYTES:
                raise HttpError(413, "Fichier trop volumineux", _too_large_message())
        return form

    # -- responses ------------------------------------------------------
    def _send(self, resp: Response, *, head_only: bool = False) -> None:
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        for name, value in SECURITY_HEADERS:
            self.send_header(name, value)
        self.send_header("Cache-Control", "max-age=300" if resp.cacheable else "no-store")
        if self._set_cookie:
            self.send_header("Set-Cookie", self._set_cookie)
        for name, value in resp.headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if not head_only:
            self.wfile.write(resp.body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Malformed requests (bad request line, headers too long...): a French page too."""
        self._set_cookie = None
        self.close_connection = True
        title = {400: "Requête invalide", 404: "Page introuvable", 405: "Méthode non autorisée", 414: "Adresse trop longue", 431: "En-têtes trop longs", 501: "Méthode non prise en charge"}.get(code, "Requête refusée")
        resp = self.server.app.error_page(code, title, "Le navigateur a envoyé une requête que le serveur ne peut pas traiter.")
        try:
            self._send(resp, head_only=self.command == "HEAD")
        except OSError:
            pass

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        if self.server.verbose:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")


_MAX_QUERY = 2048


def _query(text: str) -> dict[str, list[str]]:
    """The query string's parameters; a 400 page when it is too long or malformed (never a 500)."""
    if len(text) > _MAX_QUERY:
        raise HttpError(400, "Adresse invalide", "L'adresse demandée est trop longue : revenez à la page précédente.")
    try:
        return parse_qs(text, max_num_fields=30, errors="strict")
    except (ValueError, UnicodeDecodeError):
        raise HttpError(400, "Adresse invalide", "Les paramètres de l'adresse sont illisibles : revenez à la page précédente.") from None


def _too_large_message() -> str:
    return f"Le fichier dépasse la taille maximale acceptée ({MAX_UPLOAD_BYTES // (1024 * 1024)} Mo). Réduisez-le (une seule feuille, une seule année) ou utilisez la commande « spaser check »."


_STATIC_NAME = re.compile(r"^[a-z0-9_-]+\.(css|js|svg|ico)$")


def _static(name: str) -> Response:
    """Serve a file of spaser/web/static by its plain name (no sub-folder, no '..')."""
    if not _STATIC_NAME.match(name):
        raise HttpError(404, "Page introuvable", "Cette ressource n'existe pas.")
    path = STATIC_DIR / name
    if not path.is_file():
        raise HttpError(404, "Page introuvable", "Cette ressource n'existe pas.")
    return Response(200, path.read_bytes(), _STATIC_TYPES[path.suffix], cacheable=True)


class SpaserHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # Bind only; never reuse a port another process is listening on.
    allow_reuse_address = False

    def __init__(
        self,
        address: tuple[str, int],
        app: object,
        *,
        verbose: bool = False,
        debug: bool = False,
        sessions: SessionStore | None = None,
    ) -> None:
        from spaser.web.views import WebApp

        assert isinstance(app, WebApp)
        self.app = app
        self.sessions = sessions if sessions is not None else SessionStore()
        self.verbose = verbose
        self.debug = debug
        self.bound_host = address[0].strip("[]").lower()
        # On a loopback address, the Host header must name this machine (DNS rebinding).
        self.check_host = self.bound_host in _LOOPBACK
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{port}/"

    def log_error_trace(self) -> None:
        if self.debug:
            traceback.print_exc(file=sys.stderr)
        else:
            etype, value, _ = sys.exc_info()
            sys.stderr.write(f"spaser serve : erreur interne ({etype.__name__ if etype else '?'}: {value}).\n")

    def handle_error(self, request: object, client_address: object) -> None:
        # Client gone mid-answer and the like: one line, no traceback.
        etype, value, _ = sys.exc_info()
        if self.verbose or self.debug:
            sys.stderr.write(f"spaser serve : connexion interrompue ({etype.__name__ if etype else '?'}: {value}).\n")


def make_server(
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    example: Path | None = None,
    verbose: bool = False,
    debug: bool = False,
    limits: WorkerLimits | None = None,
    max_bytes: int | None = None,
    lists: tuple[str, ...] = (),
) -> SpaserHTTPServer:
    """A ready server (not yet serving); port 0 picks a free port (tests).

    ``limits``: time and memory of the process reading each upload; ``max_bytes``: memory
    budget of the analyses kept for all sessions (both have safe defaults).
    """
    from spaser.web.views import WebApp

    cls: type[SpaserHTTPServer] = SpaserHTTPServer
    if ":" in host:  # an IPv6 address such as ::1
        cls = type("SpaserHTTPServer6", (SpaserHTTPServer,), {"address_family": socket.AF_INET6})
    store = SessionStore(max_bytes=max_bytes) if max_bytes is not None else SessionStore()
    app = WebApp(example=example, limits=limits or WorkerLimits(), lists=lists)
    return cls((host.strip("[]"), port), app, verbose=verbose, debug=debug, sessions=store)


def serve_in_thread(server: SpaserHTTPServer) -> threading.Thread:
    """Run ``server`` in a daemon thread (tests, notebooks); stop with server.shutdown()."""
    thread = threading.Thread(target=server.serve_forever, name="spaser-web", daemon=True)
    thread.start()
    return thread


__all__.append("serve_in_thread")
