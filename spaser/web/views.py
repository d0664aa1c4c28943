"""The pages: routing, and the calls to the public library that feed each page.

No logic of its own: the import report, the diagnosis, the suggestions and
the documents all come from the library (``spaser.load``, ``spaser.law.check``,
``spaser.clauses``, ``spaser.documents``), the very functions the CLI calls,
so the page shows the same numbers as ``spaser check --json``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from spaser._errors import InputError, SpaserError
from spaser.io import ImportResult, IssueCode, MESSAGES, load, sniff
from spaser.web import data as page_data
from spaser.web.server import MAX_UPLOAD_BYTES, HttpError, Request, Response
from spaser.web.sessions import SESSION_IDLE_SECONDS, Analysis, Session

__all__ = ["WebApp", "find_example", "display_name", "import_bytes", "DOCUMENTS"]

TEMPLATES = Path(__file__).parents[1] / "templates" / "web"
_AID = r"(?P<aid>[A-Za-z0-9_-]{16})"
_BI = r"(?P<bi>[0-9]{1,6})"

# Downloadable documents: URL name -> (French label, MIME type).
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCUMENTS: dict[str, tuple[str, str, str]] = {
    "projet-spaser.docx": ("Projet de SPASER (Word)", _DOCX, "Le schéma de promotion des achats socialement et écologiquement responsables : diagnostic, objectifs, actions, indicateurs."),
    "deliberation.docx": ("Projet de délibération (Word)", _DOCX, "La délibération qui adopte le schéma, avec ses visas."),
    "classeur.xlsx": ("Classeur de suivi (Excel)", _XLSX, "Les achats, les indicateurs et les suggestions par marché, pour le suivi."),
}
_DOC_RE = "|".join(re.escape(n) for n in DOCUMENTS)

# Extension given to the private temporary copy, from the sniffed content.
_EXTENSIONS = {"xlsx": ".xlsx", "ods": ".ods", "ole2": ".xls", "json": ".json", "xml": ".xml", "csv": ".csv"}
_NOT_OURS = {"pdf": "un document PDF", "image": "une image", "binary": "un fichier binaire"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def find_example() -> Path | None:
    """The bundled example portfolio, when this installation has it."""
    here = Path(__file__).resolve().parents[1]
    for candidate in (here / "data" / "examples" / "metropole.xlsx", here.parent / "examples" / "metropole.xlsx"):
        if candidate.is_file():
            return candidate
    return None


def display_name(raw: str) -> str:
    """The user's file name, for display only: last path part, no control characters.

    >>> display_name('C:\\\\Users\\\\x\\\\achats 2024.xlsx')
    'achats 2024.xlsx'
    >>> display_name('../../etc/passwd\\x00'), display_name('')
    ('passwd', 'fichier sans nom')
    """
    name = _CONTROL.sub("", re.split(r"[\\/]", raw)[-1]).strip()
    if len(name) > 120:
        name = name[:117] + "…"
    return name or "fichier sans nom"


def import_bytes(data: bytes, name: str) -> ImportResult:
    """Import an uploaded file through :func:`spaser.load`, from a private temporary folder.

    The content decides the type (:func:`spaser.io.sniff`); ``name`` is only
    put back into messages in place of the temporary path. The folder
    (mode 0700) is removed before returning, whatever happens.
    """
    if not data:
        raise InputError(MESSAGES[IssueCode.FILE_EMPTY], code=IssueCode.FILE_EMPTY.value, file=name)
    kind = sniff("", head=data[:4096])
    if kind in _NOT_OURS:
        raise InputError(
            f"ce fichier est {_NOT_OURS[kind]}, pas un tableur (.xlsx, .csv) ni des données DECP (.json, .xml).",
            code=IssueCode.FILE_FORMAT.value,
            file=name,
        )
    folder = tempfile.mkdtemp(prefix="spaser-web-")
    try:
        os.chmod(folder, 0o700)
        # Readers name a buyer without a column after the file, as the CLI does: give
        # them a harmless ASCII stem of the user's name (letters, digits, - and _ only).
        path = Path(folder) / (_safe_stem(name) + _EXTENSIONS.get(kind, ".bin"))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            return load(path)
        except SpaserError as e:
            e.message = e.message.replace(str(path), name)
            e.args = (e.message,)
            raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _safe_stem(name: str) -> str:
    """'Achats 2024 (Métropole).xlsx' -> 'Achats_2024_Metropole'; never a path.

    >>> _safe_stem('../../etc/passwd'), _safe_stem('.xlsx'), _safe_stem('Été.csv')
    ('passwd', 'import', 'Ete')
    """
    stem = display_name(name).rsplit(".", 1)[0] if "." in display_name(name) else display_name(name)
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_-]+", "_", ascii_stem).strip("_-")[:60] or "import"


class WebApp:
    """Routes a request to a page; each page calls the library and renders a template."""

    def __init__(self, *, example: Path | None = None, lists: Sequence[str] = ()) -> None:
        self.example = example if example is not None else find_example()
        self.lists = tuple(lists)  # supplier lists (spaser serve --liste): every portfolio is classified with them
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)),
            autoescape=True,  # every value is escaped: user data contains anything
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(page_data.FILTERS)
        self.env.globals.update(max_upload_mb=MAX_UPLOAD_BYTES // (1024 * 1024), idle_hours=SESSION_IDLE_SECONDS // 3600)
        self.routes: list[tuple[str, re.Pattern[str], Callable[..., Response]]] = [
            ("GET", re.compile(r"/"), self.home),
            ("POST", re.compile(r"/importer"), self.upload),
            ("POST", re.compile(r"/exemple"), self.use_example),
            ("GET", re.compile(rf"/a/{_AID}/rapport"), self.report),
            ("GET", re.compile(rf"/a/{_AID}/{_BI}/diagnostic"), self.diagnosis),
            ("GET", re.compile(rf"/a/{_AID}/{_BI}/suggestions"), self.suggestions),
            ("GET", re.compile(rf"/a/{_AID}/{_BI}/documents"), self.documents),
            ("GET", re.compile(rf"/a/{_AID}/{_BI}/telecharger/(?P<doc>{_DOC_RE})"), self.download),
        ]

    # -- plumbing -------------------------------------------------------
    def handle(self, req: Request) -> Response:
        method = "GET" if req.method == "HEAD" else req.method
        allowed = False
        for route_method, pattern, view in self.routes:
            m = pattern.fullmatch(req.path)
            if m:
                if route_method == method:
                    return view(req, **m.groupdict())
                allowed = True
        if allowed:
            raise HttpError(405, "Méthode non autorisée", "Cette adresse ne s'utilise pas ainsi : revenez à la page d'accueil.")
        raise HttpError(404, "Page introuvable", "Cette page n'existe pas.")

    def render(self, template: str, *, status: int = 200, **context: Any) -> Response:
        body = self.env.get_template(template).render(**context)
        return Response(status, body.encode("utf-8"))

    def error_page(self, status: int, title: str, message: str) -> Response:
        return self.render("erreur.html", status=status, title=title, message=message, steps=None)

    @staticmethod
    def redirect(location: str) -> Response:
        return Response(303, b"", "text/plain; charset=utf-8", [("Location", location)])

    def _checked_post(self, req: Request) -> tuple[Session, Any]:
        """The session and the form of a POST, after the CSRF checks."""
        if req.session is None:
            req.handler.close_connection = True  # the body is not read
            raise HttpError(403, "Session expirée", "Votre session a expiré ou le serveur a été relancé : rechargez la page d'accueil puis recommencez.")
        origin = req.handler.headers.get("Origin")
        host = req.handler.headers.get("Host") or ""
        if origin is not None and origin != f"http://{host}":
            req.handler.close_connection = True
            raise HttpError(403, "Requête refusée", "Ce formulaire ne peut être envoyé que depuis la page de spaser.")
        form = req.form()
        if not req.session.check_csrf(form.fields.get("csrf")):
            raise HttpError(403, "Requête refusée", "Jeton de formulaire invalide : rechargez la page d'accueil puis recommencez.")
        return req.session, form

    def _analysis(self, req: Request, aid: str) -> Analysis:
        analysis = req.session.get(aid) if req.session else None
        if analysis is None:  # unknown, expired, or another browser's: the same answer
            raise HttpError(
                404,
                "Analyse introuvable",
                f"Cette analyse n'existe pas ou a expiré (les fichiers importés sont oubliés après {SESSION_IDLE_SECONDS // 3600} h sans activité "
                "ou quand le serveur est relancé). Importez de nouveau le fichier.",
            )
        return analysis

    def _portfolio(self, analysis: Analysis, bi: str) -> Any:
        portfolios = analysis.result.portfolios
        index = int(bi)
        if index >= len(portfolios):
            raise HttpError(404, "Acheteur introuvable", "Cet acheteur n'existe pas dans le fichier importé.")
        if not self.lists:
            return portfolios[index]
        from spaser.cli.suppliers import classify_with
        from spaser.suppliers.documents import remember

        # Kept with the analysis (forgotten with it); remembered again for the documents built next.
        c = analysis.cached(("fournisseurs", index), lambda: classify_with(self.lists, portfolios[index]))
        remember(c)
        return c.portfolio

    def _steps(self, analysis: Analysis | None, bi: str | None, current: str) -> list[dict[str, Any]]:
        base = f"/a/{analysis.id}" if analysis else None
        steps = [
            ("import", "Import", "/"),
            ("rapport", "Rapport d'import", f"{base}/rapport" if base else None),
            ("diagnostic", "Diagnostic", f"{base}/{bi}/diagnostic" if base and bi is not None else None),
            ("suggestions", "Suggestions", f"{base}/{bi}/suggestions" if base and bi is not None else None),
            ("documents", "Documents", f"{base}/{bi}/documents" if base and bi is not None else None),
        ]
        return [{"key": k, "label": label, "href": href, "current": k == current} for k, label, href in steps]

    # -- pages ----------------------------------------------------------
    def home(self, req: Request, *, error: str | None = None, file_name: str | None = None, status: int = 200) -> Response:
        session = req.session or req.new_session()
        recent = [{"href": f"/a/{a.id}/rapport", "name": a.file_name} for a in reversed(session.analyses.values())]
        return self.render(
            "accueil.html",
            status=status,
            title="Importer vos achats",
            steps=self._steps(None, None, "import"),
            csrf=session.csrf,
            error=error,
            file_name=file_name,
            has_example=self.example is not None,
            recent=recent,
        )

    def upload(self, req: Request) -> Response:
        session, form = self._checked_post(req)
        upload = form.files.get("fichier")
        if upload is None or (not upload.filename and not upload.data):
            return self.home(req, error="Choisissez un fichier à importer.", status=400)
        name = display_name(upload.filename)
        try:
            result = import_bytes(upload.data, name)
        except SpaserError as e:
            return self.home(req, error=str(e), file_name=name, status=422)
        analysis = session.add(name, result)
        return self.redirect(f"/a/{analysis.id}/rapport")

    def use_example(self, req: Request) -> Response:
        session, _ = self._checked_post(req)
        if self.example is None:
            raise HttpError(404, "Exemple indisponible", "L'exemple n'est pas installé avec cette version de spaser.")
        result = load(self.example)
        analysis = session.add(f"{self.example.name} (exemple)", result)
        return self.redirect(f"/a/{analysis.id}/rapport")

    def report(self, req: Request, aid: str) -> Response:
        analysis = self._analysis(req, aid)
        result = analysis.result
        single = len(result.portfolios) == 1
        return self.render(
            "rapport.html",
            title="Rapport d'import",
            steps=self._steps(analysis, "0" if single else None, "rapport"),
            analysis=analysis,
            report=page_data.report_view(result.report),
            buyers=page_data.buyers_view(result.portfolios),
            base=f"/a/{analysis.id}",
        )

    def diagnosis(self, req: Request, aid: str, bi: str) -> Response:
        analysis = self._analysis(req, aid)
        portfolio = self._portfolio(analysis, bi)
        choices = page_data.data_years(portfolio)
        year = None
        raw = (req.query.get("annee") or [""])[0]
        if raw:
            if not raw.isdigit() or int(raw) not in choices:
                raise HttpError(400, "Année invalide", f"Année « {raw[:10]} » absente des données : choisissez parmi {', '.join(map(str, choices)) or 'aucune'}.")
            year = int(raw)
        diag = analysis.cached(("diagnosis", bi, year), lambda: page_data.diagnosis_dict(portfolio, year=year))
        return self.render(
            "diagnostic.html",
            title="Diagnostic",
            steps=self._steps(analysis, bi, "diagnostic"),
            analysis=analysis,
            buyer=page_data.buyer_view(portfolio),
            diag=page_data.diagnosis_view(diag),
            years_choice=sorted(set(choices) | {diag["year"]}),
            base=f"/a/{analysis.id}/{bi}",
        )

    def suggestions(self, req: Request, aid: str, bi: str) -> Response:
        analysis = self._analysis(req, aid)
        portfolio = self._portfolio(analysis, bi)
        view = analysis.cached(("suggestions", bi), lambda: page_data.suggestions_view(portfolio))
        return self.render(
            "suggestions.html",
            title="Suggestions de clauses",
            steps=self._steps(analysis, bi, "suggestions"),
            analysis=analysis,
            buyer=page_data.buyer_view(portfolio),
            sugg=view,
            base=f"/a/{analysis.id}/{bi}",
        )

    def documents(self, req: Request, aid: str, bi: str) -> Response:
        analysis = self._analysis(req, aid)
        portfolio = self._portfolio(analysis, bi)
        docs = [
            {"href": f"/a/{analysis.id}/{bi}/telecharger/{name}", "label": label, "help": help_text, "name": name, "available": page_data.document_available(name)}
            for name, (label, _mime, help_text) in DOCUMENTS.items()
        ]
        return self.render(
            "documents.html",
            title="Documents",
            steps=self._steps(analysis, bi, "documents"),
            analysis=analysis,
            buyer=page_data.buyer_view(portfolio),
            docs=docs,
            base=f"/a/{analysis.id}/{bi}",
        )

    def download(self, req: Request, aid: str, bi: str, doc: str) -> Response:
        analysis = self._analysis(req, aid)
        portfolio = self._portfolio(analysis, bi)
        if not page_data.document_available(doc):
            raise HttpError(404, "Document indisponible", "Ce document n'est pas encore disponible dans cette version de spaser.")
        body = analysis.cached(("document", bi, doc), lambda: page_data.build_document(doc, portfolio, report=analysis.result.report))
        stem = page_data.buyer_slug(portfolio)
        filename = f"{doc.rsplit('.', 1)[0]}-{stem}.{doc.rsplit('.', 1)[1]}"
        return Response(
            200,
            body,
            DOCUMENTS[doc][1],
            [("Content-Disposition", f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}")],
        )
