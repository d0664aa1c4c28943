"""The pages: routing, and the calls to the public library that feed each page.

No logic of its own: the import report, the diagnosis, the suggestions and
the documents all come from the library (``spaser.load``, ``spaser.law.check``,
``spaser.clauses``, ``spaser.documents``), the very functions the CLI calls,
so the page shows the same numbers as ``spaser check --json``.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import jinja2

from spaser._errors import InputError, SpaserError
from spaser._french import purchases_assessed, records_read
from spaser.io import ImportResult, IssueCode, MESSAGES, sniff
from spaser.model import DURATION_MAX_MONTHS
from spaser.web import data as page_data
from spaser.web import jobs
from spaser.web.mapping import FIELDS, KEY_FIELDS, guess, mapping_yaml
from spaser.web.server import MAX_UPLOAD_BYTES, HttpError, Request, Response
from spaser.web.sessions import SESSION_IDLE_SECONDS, Analysis, Session
from spaser.web.worker import WorkerLimits, import_in_worker

if TYPE_CHECKING:
    from spaser.clauses.opportunities import AdviceProgress

__all__ = ["WebApp", "find_example", "display_name", "import_bytes", "DOCUMENTS", "Pending"]

TEMPLATES = Path(__file__).parents[1] / "templates" / "web"
_AID = r"(?P<aid>[A-Za-z0-9_-]{16})"
_JID = r"(?P<jid>[A-Za-z0-9_-]{16})"
_BI = r"(?P<bi>[0-9]{1,6})"

# Downloadable documents: URL name -> (French label, MIME type).
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCUMENTS: dict[str, tuple[str, str, str]] = {
    "projet-spaser.docx": ("Projet de SPASER (Word)", _DOCX, "Le schéma de promotion des achats socialement et écologiquement responsables : diagnostic, objectifs, actions, indicateurs."),
    "deliberation.docx": ("Projet de délibération (Word)", _DOCX, "La délibération qui adopte le schéma, avec ses visas."),
    "bilan-annuel.docx": ("Bilan annuel (Word)", _DOCX, "Le bilan de l'année prévu par l'article L2111-3 : indicateurs comparés aux objectifs du schéma."),
    "indicateurs.xlsx": ("Indicateurs à publier (Excel)", _XLSX, "Le tableau des indicateurs de l'année et de la précédente, à publier."),
    "classeur.xlsx": ("Classeur de suivi (Excel)", _XLSX, "Les achats, les indicateurs et les suggestions par marché, pour le suivi."),
}
_DOC_RE = "|".join(re.escape(n) for n in DOCUMENTS)

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


# Import failures the page resolves itself, by asking what is missing.
_ASK_VAT = {IssueCode.AMOUNT_TTC.value}
_ASK_COLUMNS = {IssueCode.HEADER_NOT_FOUND.value, IssueCode.COLUMN_MISSING.value}
_SPREADSHEETS = {"xlsx", "ods", "ole2", "csv"}
# A request waits this long for its background job before showing the progress page instead.
WAIT_SECONDS = 2.0
PAGE_SIZE = 20  # purchases per page of suggestions
_PID = r"(?P<pid>[A-Za-z0-9_-]{16})"
_YEARLY = {"bilan-annuel.docx", "indicateurs.xlsx"}  # documents of one year (?annee=)


@dataclass
class Pending:
    """An uploaded file waiting for what its import lacks (the VAT rate, the columns)."""

    id: str
    name: str
    data: bytes = field(repr=False)
    kind: str
    options: dict[str, Any] = field(default_factory=dict)
    reason: str = ""  # the reader's French message
    headers: list[str] = field(default_factory=list)


def check_content(data: bytes, name: str) -> str:
    """The sniffed kind of an upload; a French InputError for an empty file or one that is not ours."""
    if not data:
        raise InputError(MESSAGES[IssueCode.FILE_EMPTY], code=IssueCode.FILE_EMPTY.value, file=name)
    kind = sniff("", head=data[:4096])
    if kind in _NOT_OURS:
        raise InputError(
            f"ce fichier est {_NOT_OURS[kind]}, pas un tableur (.xlsx, .ods, .xls, .csv) ni des données DECP (.json, .xml).",
            code=IssueCode.FILE_FORMAT.value,
            file=name,
        )
    return kind


def import_bytes(data: bytes, name: str, *, limits: WorkerLimits | None = None, **options: Any) -> ImportResult:
    """Import an uploaded file through :func:`spaser.load`, in a worker process with limits.

    The content decides the type (:func:`spaser.io.sniff`); the file is read under ``name``
    (:func:`spaser.web.worker.upload_name`) from a private copy, removed whatever happens.
    """
    result, _size = import_in_worker(data, name, check_content(data, name), options=options, limits=limits or WorkerLimits())
    return result


def _advice_progress(job: jobs.Job) -> AdviceProgress:
    """The job's detail while a portfolio's advice is worked out (« 30 000 achats examinés sur 99 710 »)."""
    return lambda done, total: job.tell(purchases_assessed(done, total))


class WebApp:
    """Routes a request to a page; each page calls the library and renders a template."""

    def __init__(self, *, example: Path | None = None, limits: WorkerLimits | None = None, lists: Sequence[str] = ()) -> None:
        self.example = example if example is not None else find_example()
        self.limits = limits or WorkerLimits()
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
            ("GET", re.compile(r"/modele-achats\.xlsx"), self.template),
            ("GET", re.compile(rf"/travail/{_JID}"), self.job_page),
            ("GET", re.compile(rf"/travail/{_JID}\.json"), self.job_status),
            ("GET", re.compile(rf"/fichier/{_PID}/tva"), self.vat_form),
            ("POST", re.compile(rf"/fichier/{_PID}/tva"), self.vat_submit),
            ("GET", re.compile(rf"/fichier/{_PID}/colonnes"), self.columns_form),
            ("POST", re.compile(rf"/fichier/{_PID}/colonnes"), self.columns_submit),
            ("GET", re.compile(r"/conseil"), self.advice),
            ("GET", re.compile(r"/reglages"), self.settings),
            ("POST", re.compile(r"/reglages"), self.settings_submit),
            ("GET", re.compile(r"/reglages/spaser\.toml"), self.settings_file),
            ("GET", re.compile(rf"/a/{_AID}/rapport"), self.report),
            ("GET", re.compile(rf"/a/{_AID}/commun"), self.joint),
            ("GET", re.compile(rf"/a/{_AID}/{_BI}/diagnostic"), self.diagnosis),
            ("GET", re.compile(rf"/a/{_AID}/{_BI}/suggestions"), self.suggestions),
            ("GET", re.compile(rf"/a/{_AID}/{_BI}/documents"), self.documents),
            ("GET", re.compile(rf"/a/{_AID}/{_BI}/preparer/(?P<doc>{_DOC_RE})"), self.prepare),
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
                f"Cette analyse n'existe pas ou a expiré (les fichiers importés sont oubliés après {SESSION_IDLE_SECONDS // 3600} h sans activité, "
                "quand la mémoire réservée aux analyses est pleine, ou quand le serveur est relancé). Importez de nouveau le fichier.",
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

    def _pending(self, req: Request, pid: str) -> Pending:
        pending = req.session.pending.get(pid) if req.session else None
        if pending is None:
            raise HttpError(404, "Fichier introuvable", "Ce fichier n'est plus en attente (session expirée ou serveur relancé) : importez-le de nouveau.")
        return pending

    def _steps(self, analysis: Analysis | None, bi: str | None, current: str) -> list[dict[str, Any]]:
        base = f"/a/{analysis.id}" if analysis else None
        steps = [
            ("import", "Import", "/"),
            ("rapport", "Rapport", f"{base}/rapport" if base else None),
            ("diagnostic", "Diagnostic", f"{base}/{bi}/diagnostic" if base and bi is not None else None),
            ("suggestions", "Suggestions", f"{base}/{bi}/suggestions" if base and bi is not None else None),
            ("documents", "Documents", f"{base}/{bi}/documents" if base and bi is not None else None),
        ]
        return [{"key": k, "label": label, "href": href, "current": k == current} for k, label, href in steps]

    @staticmethod
    def _param(req: Request, name: str, *, max_len: int = 100) -> str:
        """One query parameter (the first), at most ``max_len`` characters; 400 beyond."""
        values = req.query.get(name) or [""]
        value = values[0].strip()
        if len(value) > max_len:
            raise HttpError(400, "Paramètre invalide", f"Le paramètre « {name} » est trop long.")
        return value

    # -- background work --------------------------------------------------
    def _run(self, req: Request, session: Session, title: str, steps: list[str], back: str, work: Callable[[jobs.Job], str]) -> jobs.Job:
        req.store.keep(session)  # the browser may leave and come back to the job
        job = jobs.start(session.jobs, title, steps, back, work)
        job_done = job_waiter(job)
        job_done(WAIT_SECONDS)
        return job

    def _after(self, job: jobs.Job) -> Response:
        """Where a request that started ``job`` goes: its result if it ended at once, else its progress page."""
        if job.state == "done" and job.next:
            return self.redirect(job.next)
        if job.state == "failed" and job.next:  # the job asks something (VAT rate, columns)
            return self.redirect(job.next)
        return self.redirect(f"/travail/{job.id}")

    def job_page(self, req: Request, jid: str) -> Response:
        job = req.session.jobs.get(jid) if req.session else None
        if job is None:
            raise HttpError(404, "Travail introuvable", "Ce travail n'existe pas ou a expiré : revenez à la page d'accueil.")
        if job.state == "failed" and job.next:
            return self.redirect(job.next)
        if job.state == "done" and job.next and "/telecharger/" not in job.next:
            return self.redirect(job.next)
        return self.render("travail.html", status=422 if job.state == "failed" else 200, title=job.title, steps=None, job=job,
                           status_url=f"/travail/{job.id}.json", info=job.to_dict())

    def job_status(self, req: Request, jid: str) -> Response:
        import json

        job = req.session.jobs.get(jid) if req.session else None
        if job is None:
            raise HttpError(404, "Travail introuvable", "Ce travail n'existe pas ou a expiré.")
        return Response(200, json.dumps(job.to_dict(), ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    # -- import ------------------------------------------------------------
    def home(self, req: Request, *, error: str | None = None, file_name: str | None = None, status: int = 200) -> Response:
        session = req.session or req.new_session()
        recent = [{"href": f"/a/{a.id}/rapport", "name": a.file_name} for a in reversed(session.analyses.values())]
        running = [{"href": f"/travail/{j.id}", "title": j.title, "text": j.text()} for j in reversed(session.jobs.values()) if j.state in ("waiting", "running")]
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
            running=running,
        )

    def upload(self, req: Request) -> Response:
        session, form = self._checked_post(req)
        upload = form.files.get("fichier")
        if upload is None or (not upload.filename and not upload.data):
            return self.home(req, error="Choisissez un fichier à importer.", status=400)
        name = display_name(upload.filename)
        try:
            kind = check_content(upload.data, name)
        except SpaserError as e:
            return self.home(req, error=str(e), file_name=name, status=422)
        return self._import(req, session, Pending(id=secrets.token_urlsafe(12), name=name, data=upload.data, kind=kind))

    def use_example(self, req: Request) -> Response:
        session, _ = self._checked_post(req)
        if self.example is None:
            raise HttpError(404, "Exemple indisponible", "L'exemple n'est pas installé avec cette version de spaser.")
        data = self.example.read_bytes()
        pending = Pending(id=secrets.token_urlsafe(12), name=f"{self.example.name} (exemple)", data=data, kind=sniff("", head=data[:4096]))
        return self._import(req, session, pending)

    def _import(self, req: Request, session: Session, pending: Pending) -> Response:
        """Read ``pending`` in the background; a quick file answers at once, a long one shows its progress."""
        store = req.store
        limits = self.limits

        def work(job: jobs.Job) -> str:
            try:
                result, size = import_in_worker(pending.data, pending.name, pending.kind, options=pending.options, limits=limits,
                                                progress=lambda n: job.tell(records_read(n)))
            except SpaserError as e:
                asked = self._ask(session, store, pending, e)
                if asked is None:
                    raise
                raise jobs.Redirect(asked, str(e)) from None
            job.advance()
            analysis = store.add(session, pending.name, result, size=size)
            session.pending.pop(pending.id, None)
            return f"/a/{analysis.id}/rapport"

        job = self._run(req, session, f"Import de « {pending.name} »", ["Lecture et contrôle du fichier", "Rapport d'import"], "/", work)
        if job.state == "failed" and not job.next:
            return self.home(req, error=job.error, file_name=pending.name, status=422)
        return self._after(job)

    def _ask(self, session: Session, store: Any, pending: Pending, error: SpaserError) -> str | None:
        """The page that asks what the import lacks, or None when the page cannot help."""
        if pending.kind not in _SPREADSHEETS:
            return None
        pending.reason = str(error)
        if error.code in _ASK_VAT and "vat_rate" not in pending.options:
            where = "tva"
        elif error.code in _ASK_COLUMNS:
            try:
                pending.headers, _ = import_in_worker(pending.data, pending.name, pending.kind, options={"kind": pending.kind}, limits=self.limits, task="headers")
            except SpaserError:
                return None
            if not pending.headers:
                return None
            where = "colonnes"
        else:
            return None
        if not store.hold(session, pending.id, pending, len(pending.data)):
            return None
        return f"/fichier/{pending.id}/{where}"

    def template(self, req: Request) -> Response:
        """The empty import workbook, as ``spaser template`` writes it."""
        from spaser.io.template import write_template

        folder = tempfile.mkdtemp(prefix="spaser-web-")
        try:
            os.chmod(folder, 0o700)
            path = Path(folder) / "modele.xlsx"
            write_template(path)
            body = path.read_bytes()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return Response(200, body, _XLSX, [("Content-Disposition", 'attachment; filename="modele-achats-spaser.xlsx"')])

    # -- what the import lacks ------------------------------------------
    def vat_form(self, req: Request, pid: str, *, error: str | None = None, status: int = 200) -> Response:
        pending = self._pending(req, pid)
        return self.render(
            "tva.html", status=status, title="Taux de TVA", steps=self._steps(None, None, "import"),
            pending=pending, csrf=req.session.csrf, error=error,  # type: ignore[union-attr]
        )

    def vat_submit(self, req: Request, pid: str) -> Response:
        from spaser.money import parse_rate

        session, form = self._checked_post(req)
        pending = self._pending(req, pid)
        text = (form.fields.get("taux") or "").strip()
        rate = parse_rate(text) if text else None
        if rate is None:
            return self.vat_form(req, pid, error=f"Taux « {text[:20]} » illisible : écrivez le taux en pourcentage, par exemple 20 pour 20 %.", status=400)
        pending.options = dict(pending.options, vat_rate=rate)
        return self._import(req, session, pending)

    def columns_form(self, req: Request, pid: str, *, error: str | None = None, chosen: dict[str, str] | None = None, status: int = 200) -> Response:
        pending = self._pending(req, pid)
        current = chosen if chosen is not None else (pending.options.get("mapping") or guess(pending.headers))
        rows = [
            {"field": f, "label": label, "help": help_text, "key": f in KEY_FIELDS, "chosen": current.get(f, "")}
            for f, label, help_text in FIELDS
        ]
        return self.render(
            "colonnes.html", status=status, title="Correspondance des colonnes", steps=self._steps(None, None, "import"),
            pending=pending, csrf=req.session.csrf, error=error, rows=rows, headers=pending.headers,  # type: ignore[union-attr]
        )

    def columns_submit(self, req: Request, pid: str) -> Response:
        session, form = self._checked_post(req)
        pending = self._pending(req, pid)
        mapping: dict[str, str] = {}
        for f, _label, _help in FIELDS:
            raw = (form.fields.get(f"champ_{f}") or "").strip()
            if not raw:
                continue
            if not raw.isdecimal() or int(raw) >= len(pending.headers):
                raise HttpError(400, "Formulaire invalide", "Colonne inconnue : rechargez la page de correspondance.")
            mapping[f] = pending.headers[int(raw)]
        if "amount_ht" not in mapping and "amount_ttc" not in mapping:
            return self.columns_form(req, pid, error="Choisissez au moins la colonne du montant (HT, ou TTC avec le taux de TVA).", chosen=mapping, status=400)
        used = [h for h in mapping.values()]
        if len(set(used)) != len(used):
            return self.columns_form(req, pid, error="Une même colonne est choisie pour deux champs : chaque colonne ne peut servir qu'une fois.", chosen=mapping, status=400)
        if form.fields.get("action") == "enregistrer":
            return Response(200, mapping_yaml(mapping).encode("utf-8"), "application/x-yaml; charset=utf-8",
                            [("Content-Disposition", 'attachment; filename="correspondance-colonnes.yaml"')])
        pending.options = dict(pending.options, mapping=mapping)
        return self._import(req, session, pending)

    # -- without a file: one planned purchase, the document settings ----------------------
    def advice(self, req: Request) -> Response:
        """Clauses for one purchase still being planned (``spaser suggest --cpv --amount --object``)."""
        values = {k: self._param(req, k, max_len=200) for k in ("cpv", "montant", "objet", "date", "duree")}
        view, error = _planned_view(values)
        return self.render("conseil.html", status=400 if error else 200, title="Conseils pour un achat en projet",
                           steps=self._steps(None, None, "import"), values=values, view=view, error=error)

    def settings(self, req: Request, *, error: str | None = None, values: dict[str, str] | None = None, status: int = 200) -> Response:
        from spaser.documents import OBJECTIVES
        from spaser.model import BuyerKind
        from spaser.web.settings import FORM_KEYS, MODEL_MAX_BYTES, form_from_config

        session = req.session or req.new_session()
        if values is None:
            values = session.settings.values if session.settings else form_from_config(_default_config())
        back = self._param(req, "retour", max_len=80)
        return self.render(
            "reglages.html", status=status, title="Réglages des documents", steps=self._steps(None, None, "import"),
            csrf=session.csrf, error=error, values=values, keys=FORM_KEYS, objectives=OBJECTIVES,
            kinds=[(k.value, k.label) for k in BuyerKind], saved=session.settings is not None,
            model=session.settings.model if session.settings else None, model_max_mb=MODEL_MAX_BYTES // (1024 * 1024),
            back=back if re.fullmatch(r"/a/[A-Za-z0-9_-]{16}/[0-9]{1,6}/documents", back) else "",
        )

    def settings_submit(self, req: Request) -> Response:
        from spaser.web.settings import check_model, settings_from_form

        session, form = self._checked_post(req)
        upload = form.files.get("modele")
        try:
            if upload is not None and (upload.data or upload.filename):  # a browser sends an empty part when no file is chosen
                model = check_model(upload.filename, upload.data)
            elif form.fields.get("modele.retirer"):
                model = None
            else:  # the model given before stays until removed
                model = session.settings.model if session.settings else None
            settings = settings_from_form(form.fields, model)
        except SpaserError as e:
            return self.settings(req, error=str(e), values={k: v for k, v in form.fields.items() if k != "csrf"}, status=400)
        session.settings = settings
        req.store.keep(session)
        back = form.fields.get("retour") or ""
        if re.fullmatch(r"/a/[A-Za-z0-9_-]{16}/[0-9]{1,6}/documents", back):
            return self.redirect(back)
        return self.redirect("/reglages")

    def settings_file(self, req: Request) -> Response:
        settings = req.session.settings if req.session else None
        if settings is None:
            raise HttpError(404, "Aucun réglage", "Aucun réglage n'a encore été enregistré : remplissez d'abord le formulaire des réglages.")
        return Response(200, settings.text.encode("utf-8"), "application/toml; charset=utf-8",
                        [("Content-Disposition", 'attachment; filename="spaser.toml"')])

    # -- pages of an analysis -------------------------------------------------
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

    def joint(self, req: Request, aid: str) -> Response:
        """The joint scheme of a multi-buyer file: each buyer's diagnosis (``spaser check --joint``)."""
        analysis = self._analysis(req, aid)
        portfolios = analysis.result.portfolios
        if len(portfolios) < 2:
            return self.redirect(f"/a/{aid}/rapport")
        key = ("joint",)
        if key not in analysis.cache:
            here = req.path

            def work(job: jobs.Job) -> str:
                analysis.cached(key, lambda: page_data.joint_view(portfolios))
                return here

            job = self._run(req, req.session, "Schéma commun : diagnostic de chaque acheteur", ["Diagnostic des acheteurs"], f"/a/{aid}/rapport", work)  # type: ignore[arg-type]
            if job.state != "done":
                return self._after(job)
        return self.render("commun.html", title="Schéma commun", steps=self._steps(analysis, None, "rapport"),
                           analysis=analysis, joint=analysis.cache[key], base=f"/a/{analysis.id}")

    def diagnosis(self, req: Request, aid: str, bi: str) -> Response:
        analysis = self._analysis(req, aid)
        portfolio = self._portfolio(analysis, bi)
        choices = page_data.data_years(portfolio)
        year = self._chosen_year(req, choices)
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
        filters = page_data.SuggestionFilters.from_query(self._param(req, "q"), self._param(req, "type", max_len=20),
                                                         self._param(req, "niveau", max_len=20), self._param(req, "page", max_len=6))
        if filters is None:
            raise HttpError(400, "Paramètre invalide", "Filtre ou numéro de page invalide : revenez à la liste des suggestions.")
        key = ("opportunities", bi)
        if key not in analysis.cache:
            session = req.session
            here = req.path + (f"?{urlencode(filters.query())}" if filters.query() else "")

            def work(job: jobs.Job) -> str:
                analysis.cached(key, lambda: page_data.all_opportunities(portfolio, progress=_advice_progress(job)))
                return here

            job = self._run(req, session, "Recherche des opportunités de clauses", ["Classement des achats"], f"/a/{aid}/{bi}/diagnostic", work)  # type: ignore[arg-type]
            if job.state != "done":
                return self._after(job)
        opp = analysis.cache[key]
        view = page_data.suggestions_page(portfolio, opp, filters, lambda pid, fn: analysis.cached(("suggest", bi, pid), fn), page_size=PAGE_SIZE)
        if filters.page > view["pages"]:
            raise HttpError(400, "Page invalide", f"Il n'y a que {view['pages']} page(s) de résultats.")
        return self.render(
            "suggestions.html",
            title="Suggestions de clauses",
            steps=self._steps(analysis, bi, "suggestions"),
            analysis=analysis,
            buyer=page_data.buyer_view(portfolio),
            sugg=view,
            filters=filters,
            base=f"/a/{analysis.id}/{bi}",
        )

    def documents(self, req: Request, aid: str, bi: str) -> Response:
        analysis = self._analysis(req, aid)
        portfolio = self._portfolio(analysis, bi)
        year = self._year_param(req, portfolio)
        docs = [
            {
                "href": f"/a/{analysis.id}/{bi}/preparer/{name}" + (f"?annee={year}" if name in _YEARLY else ""),
                "download": f"/a/{analysis.id}/{bi}/telecharger/{name}" + (f"?annee={year}" if name in _YEARLY else ""),
                "ready": self._doc_key(req, bi, name, year) in analysis.cache,
                "label": label, "help": help_text, "name": name, "yearly": name in _YEARLY,
                "available": page_data.document_available(name),
            }
            for name, (label, _mime, help_text) in DOCUMENTS.items()
        ]
        return self.render(
            "documents.html",
            title="Documents",
            steps=self._steps(analysis, bi, "documents"),
            analysis=analysis,
            buyer=page_data.buyer_view(portfolio),
            docs=docs,
            year=year,
            years=page_data.data_years(portfolio),
            settings=req.session.settings if req.session else None,
            base=f"/a/{analysis.id}/{bi}",
        )

    def _chosen_year(self, req: Request, choices: list[int]) -> int | None:
        """?annee=: one of the data's years ``choices`` (400 otherwise), or None when not given."""
        raw = self._param(req, "annee", max_len=10)
        if not raw:
            return None
        if not raw.isdecimal() or int(raw) not in choices:
            raise HttpError(400, "Année invalide", f"Année « {raw[:10]} » absente des données : choisissez parmi {', '.join(map(str, choices)) or 'aucune'}.")
        return int(raw)

    def _year_param(self, req: Request, portfolio: Any) -> int:
        """?annee= of the yearly documents: a year of the data (400 otherwise); default: the diagnosis year."""
        if not self._param(req, "annee", max_len=10):
            return page_data.report_year(portfolio)  # the data's years are not gone through for nothing
        return self._chosen_year(req, page_data.data_years(portfolio))  # type: ignore[return-value]

    @staticmethod
    def _doc_key(req: Request, bi: str, doc: str, year: int) -> tuple[Any, ...]:
        """A document's cache key: it changes with the settings and, for the yearly ones, the year."""
        settings = req.session.settings if req.session else None
        return ("document", bi, doc, year if doc in _YEARLY else None, settings.key if settings else "")

    def _document(self, req: Request, aid: str, bi: str, doc: str) -> tuple[Analysis, Any, int]:
        """(analysis, portfolio, year) of a document's request; 404 when the document is not available."""
        analysis = self._analysis(req, aid)
        portfolio = self._portfolio(analysis, bi)
        if not page_data.document_available(doc):
            raise HttpError(404, "Document indisponible", "Ce document n'est pas encore disponible dans cette version de spaser.")
        return analysis, portfolio, self._year_param(req, portfolio)

    def prepare(self, req: Request, aid: str, bi: str, doc: str) -> Response:
        """Make the document in the background, then offer it for download."""
        analysis, portfolio, year = self._document(req, aid, bi, doc)
        target = f"/a/{aid}/{bi}/telecharger/{doc}" + (f"?annee={year}" if doc in _YEARLY else "")
        key = self._doc_key(req, bi, doc, year)
        if key in analysis.cache:
            return self.redirect(target)
        def work(job: jobs.Job) -> str:
            analysis.cached(key, self._maker(req, analysis, portfolio, doc, year, _advice_progress(job)))
            return target

        job = self._run(req, req.session, f"Préparation : {DOCUMENTS[doc][0]}", ["Diagnostic, suggestions et mise en page"], f"/a/{aid}/{bi}/documents", work)  # type: ignore[arg-type]
        return self.redirect(f"/travail/{job.id}")

    @staticmethod
    def _maker(req: Request, analysis: Analysis, portfolio: Any, doc: str, year: int,
               progress: AdviceProgress | None = None) -> Callable[[], bytes]:
        settings = req.session.settings if req.session else None

        def make() -> bytes:
            if settings is None:
                return page_data.build_document(doc, portfolio, report=analysis.result.report, config=None, year=year, progress=progress)
            with settings.documents_config() as config:  # the model .docx exists only meanwhile
                return page_data.build_document(doc, portfolio, report=analysis.result.report, config=config, year=year, progress=progress)

        return make

    def download(self, req: Request, aid: str, bi: str, doc: str) -> Response:
        analysis, portfolio, year = self._document(req, aid, bi, doc)
        body = analysis.cached(self._doc_key(req, bi, doc, year), self._maker(req, analysis, portfolio, doc, year))
        stem = page_data.buyer_slug(portfolio)
        filename = f"{doc.rsplit('.', 1)[0]}-{stem}.{doc.rsplit('.', 1)[1]}"
        return Response(
            200,
            body,
            DOCUMENTS[doc][1],
            [("Content-Disposition", f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}")],
        )


def _planned_view(values: dict[str, str]) -> tuple[dict[str, Any] | None, str | None]:
    """(the planned purchase and its suggestions, or None; a French error, or None) from the advice form."""
    from datetime import date as _date

    from spaser.clauses import planned_purchase, suggest
    from spaser.io.dates import to_date
    from spaser.money import parse_amount

    if not values.get("cpv") and not values.get("montant"):
        return None, None
    if not values.get("cpv") or not values.get("montant"):
        return None, "Indiquez le code CPV et le montant estimé de l'achat."
    try:
        amount = parse_amount(values["montant"])
    except ValueError:
        return None, f"Montant « {values['montant'][:30]} » illisible : écrivez-le en euros HT, par exemple 300 000."
    when = _date.today()
    if values.get("date"):
        try:
            when = to_date(values["date"]) or when
        except Exception:  # noqa: BLE001 - any unreadable date is the same French answer
            return None, f"Date « {values['date'][:20]} » illisible : écrivez JJ/MM/AAAA."
    duration = None
    if values.get("duree"):
        text = values["duree"]  # ASCII digits, few of them: int() of 5 000 digits raises
        if not (text.isascii() and text.isdecimal() and len(text) <= 6) or not 1 <= int(text) <= DURATION_MAX_MONTHS:
            return None, f"Durée « {values['duree'][:10]} » : un nombre de mois entre 1 et {DURATION_MAX_MONTHS} est attendu."
        duration = int(values["duree"])
    try:
        purchase = planned_purchase(values.get("objet", ""), values["cpv"], amount, when, duration_months=duration)
    except SpaserError as e:
        return None, str(e)
    items = [dict(sug.to_dict(), anchor=f"clause-{i}") for i, sug in enumerate(suggest(purchase, at=when), 1)]
    return {"purchase": purchase, "at": when, "suggestions": items}, None


def job_waiter(job: jobs.Job) -> Callable[[float], None]:
    """Wait up to ``seconds`` for the job to leave the running states."""
    import time

    def wait(seconds: float) -> None:
        end = time.monotonic() + seconds
        while job.state in ("waiting", "running") and time.monotonic() < end:
            time.sleep(0.02)

    return wait


def _default_config() -> Any:
    from spaser.documents import DocumentConfig

    return DocumentConfig()
