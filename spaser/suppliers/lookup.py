"""Optional online look-up: the public « Recherche d'entreprises » API (DINUM, no key), opt-in.

For each SIREN it gives the legal category (``nature_juridique``), the ESS flag
(``complements.est_ess``) and the inclusive-enterprise flag and type (``complements.est_siae``,
``complements.type_siae``). Answers are kept in a local cache (JSON, one file per SIREN, 30 days);
requests are spaced (7 a second at most, the API's documented limit) and capped per run. When the
API cannot be reached the classification goes on offline and says so.

>>> u = parse_unit("217500016", {"results": [{"siren": "217500016", "nom_complet": "VILLE DE PARIS",
...     "nature_juridique": "7229", "complements": {"est_ess": False, "est_siae": False}}]})
>>> u.legal_category, u.says_no == {Dimension.ESUS, Dimension.INCLUSIVE}
('7229', True)
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterable

from pathlib import Path
from typing import Any

from spaser._errors import SpaserError
from spaser._french import counted
from spaser.suppliers.kinds import Dimension  # noqa: F401 - used by the doctest
from spaser.suppliers.lists import Entry, unit_flags

__all__ = ["DEFAULT_URL", "LookupError", "ApiUnreachable", "ApiAnswerInvalid", "Lookup", "parse_unit", "enrich_online"]

DEFAULT_URL = "https://recherche-entreprises.api.gouv.fr"
_RATE = 7.0  # requests a second at most
_TTL = 30 * 24 * 3600  # seconds a cached answer is used
_MAX_PER_RUN = 500  # SIRENs asked in one run (7 a second: about 70 s)
_MAX_BYTES = 2_000_000  # one answer


class LookupError(SpaserError):  # noqa: A001 - the module's one error base, named for what it is about
    """The online look-up failed (the classification goes on without it)."""

    exit_code = 3


class ApiUnreachable(LookupError):
    """No answer: offline, DNS, timeout, or the service is down."""


class ApiAnswerInvalid(LookupError):
    """An answer that is not the API's format."""


def parse_unit(siren: str, data: Any, *, url: str = DEFAULT_URL) -> Entry | None:
    """The entry of ``siren`` in a ``/search`` answer; None when the API does not know it."""
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise ApiAnswerInvalid("réponse inattendue de l'API « Recherche d'entreprises » (champ « results » absent).")
    for r in data["results"]:
        if not isinstance(r, dict) or r.get("siren") != siren:
            continue
        found = r.get("complements")
        comp: dict[str, Any] = found if isinstance(found, dict) else {}
        types = comp.get("type_siae")
        structures, no = unit_flags(
            _bool(comp.get("est_ess")), _bool(comp.get("est_siae")),
            [str(t) for t in types] if isinstance(types, list) else re.findall(r"[A-Za-z_]+", str(types or "")))
        cj = r.get("nature_juridique")
        return Entry("api", url, 0, siren, None, str(r.get("nom_complet") or ""), structures,
                     str(cj) if cj else None, no)
    return None


class Lookup:
    """A cached, rate-limited client of the API (``httpx``)."""

    def __init__(self, base_url: str = DEFAULT_URL, *, cache_dir: str | os.PathLike[str] | None = None,
                 rate: float = _RATE, timeout: float = 10.0, max_per_run: int = _MAX_PER_RUN) -> None:
        self.base_url = base_url.rstrip("/")
        self.cache_dir = Path(cache_dir) if cache_dir else _default_cache()
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.timeout = timeout
        self.max_per_run = max_per_run
        self.asked = 0
        self._last = 0.0
        self._client: Any = None
        self._now, self._sleep = time.monotonic, time.sleep  # replaceable (tests: a fake clock)

    def __enter__(self) -> Lookup:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()

    def _cached(self, siren: str) -> Any:
        f = self.cache_dir / f"{siren}.json"
        try:
            if time.time() - f.stat().st_mtime < _TTL:
                return json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return None

    def _store(self, siren: str, data: Any) -> None:
        from spaser.io.safe import write_bytes

        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            write_bytes(self.cache_dir / f"{siren}.json", json.dumps(data, ensure_ascii=False).encode("utf-8"), force=True)
        except (OSError, SpaserError):
            pass  # a cache that cannot be written only costs a new request next time

    def unit(self, siren: str) -> Entry | None:
        """What the API says of one SIREN (cache first). Raises :class:`LookupError`."""
        data = self._cached(siren)
        if data is None:
            data = self._fetch(siren)
            self._store(siren, data)
        return parse_unit(siren, data, url=self.base_url)

    def _fetch(self, siren: str) -> Any:
        import httpx

        if self._client is None:
            self._client = httpx.Client(timeout=self.timeout, headers={"User-Agent": "spaser (achats publics responsables)"})
        for attempt in range(2):
            wait = self._last + self.interval - self._now()
            if wait > 0:
                self._sleep(wait)
            self._last = self._now()
            self.asked += 1
            try:
                r = self._client.get(f"{self.base_url}/search", params={"q": siren, "page": 1, "per_page": 5})
            except httpx.HTTPError as e:
                raise ApiUnreachable(f"API « Recherche d'entreprises » injoignable ({type(e).__name__}) : êtes-vous hors ligne ?") from None
            if r.status_code == 429 and attempt == 0:
                self._sleep(min(_seconds(r.headers.get("Retry-After")), 5.0))
                continue
            if r.status_code != 200:
                raise ApiUnreachable(f"API « Recherche d'entreprises » : réponse HTTP {r.status_code}.")
            if len(r.content) > _MAX_BYTES:
                raise ApiAnswerInvalid("réponse trop volumineuse de l'API « Recherche d'entreprises ».")
            try:
                return r.json()
            except ValueError:
                raise ApiAnswerInvalid("réponse illisible (pas du JSON) de l'API « Recherche d'entreprises ».") from None
        raise ApiUnreachable("API « Recherche d'entreprises » : trop de requêtes (HTTP 429), réessayez plus tard.")

    def units(self, sirens: Iterable[str]) -> tuple[list[Entry], list[str]]:
        """(entries found, French notes). Stops at the first failure, which becomes a note."""
        out: list[Entry] = []
        notes: list[str] = []
        todo = sorted(set(sirens))
        for i, siren in enumerate(todo):
            if self.asked >= self.max_per_run and self._cached(siren) is None:
                notes.append(f"{counted(len(todo) - i, 'SIREN non interrogé', 'SIREN non interrogés')} : limite de "
                             f"{counted(self.max_per_run, 'requête', 'requêtes')} par exécution atteinte.")
                break
            try:
                e = self.unit(siren)
            except LookupError as err:
                notes.append(f"{err} Classification poursuivie avec les seules listes "
                             f"({counted(len(todo) - i, 'SIREN non interrogé', 'SIREN non interrogés')}).")
                break
            if e is not None:
                out.append(e)
        return out, notes


def _bool(v: object) -> bool | None:
    return v if isinstance(v, bool) else None  # the API's JSON booleans; anything else says nothing


def _seconds(text: str | None) -> float:
    try:
        return max(float(text or 1), 0.0)
    except ValueError:  # an HTTP date: wait the default
        return 1.0


def _default_cache() -> Path:
    """``$SPASER_CACHE_DIR``, else ``$XDG_CACHE_HOME/spaser/recherche-entreprises`` (``~/.cache`` by default)."""
    if os.environ.get("SPASER_CACHE_DIR"):
        return Path(os.environ["SPASER_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "spaser" / "recherche-entreprises"


def enrich_online(lists: Any, wanted: Iterable[str], *, lookup: Lookup | None = None) -> tuple[Any, dict[str, str]]:
    """The lists with the API's answers added as one more source; (lists, {siren: legal category})."""
    from spaser.io.report import ImportReport
    from spaser.suppliers.classify import Lists
    from spaser.suppliers.kinds import SOURCES
    from spaser.suppliers.lists import SupplierList

    own = lookup is None
    lk = lookup or Lookup(os.environ.get("SPASER_API_RECHERCHE_ENTREPRISES", DEFAULT_URL))
    try:
        entries, notes = lk.units(wanted)
    finally:
        if own:
            lk.__exit__()
    report = ImportReport(file=lk.base_url)
    report.count_accepted(len(entries))
    report.formats.append("api")
    api = SupplierList(SOURCES["api"], lk.base_url, report, entries, notes=notes)
    out = Lists([*lists.lists, api])
    return out, {e.siren: e.legal_category for e in entries if e.legal_category}
