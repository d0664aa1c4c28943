"""National scan of a DECP file: which buyers may be above the SPASER threshold.

The DECP ``montant`` is the maximum value of a contract over its whole
duration, not a yearly spend. The yearly spend is therefore ESTIMATED: each
contract's amount is spread evenly over its ``dureeMois`` months, from the
month of notification (that month counts as the first). It is always shown as
"dépense annuelle estimée (montant réparti sur la durée)", never as the legal
figure (D2111-3 counts the spending actually made in a calendar year).

Parameters read from ``spaser.law`` (never written here): the threshold
``spaser.seuil`` in force on 31 December of the year, the uncertainty margin
``estimation.marge_incertitude`` (an estimate that close to the threshold is
"indéterminé"), the assumed duration ``estimation.duree_defaut_mois`` for a
contract whose duration is unknown, and ``spaser.assiette`` (what the
threshold was compared with in that year), all read by
:func:`spaser.law.obligation.year_rule` (before 2023: the contracts concluded in
the year, compared strictly, within the scope of the time).

The file is read in ONE pass (:meth:`spaser.io.decp.DecpStream.fast_records`):
batches of whole records are decoded by msgspec (C), only the fields the scan
reads; a record that raises no issue is counted from answers kept per value met
(:meth:`spaser.io.decp.Extractor.extract_batch`), any other goes through the
full extractor, as every record does with ``fast=False`` (the reference: a
property test checks both give the same result). Per contract about 21 bytes
in columns (:class:`_Contracts`, no object per contract) and 32 in the
duplicate table; the buyers' counts and totals and the year's figures (known
once the file is read) are summed over the columns after the pass (numpy,
exact integers of cents; the estimate in Decimal, in file order). For
1 000 000 contracts and 50 000 buyers: about 145 MB at most, about 1.45 times
the time of a bare ijson loop summing the amounts per buyer
(``benchmarks/RESULTS.md``).

CSV columns (UTF-8 with BOM, ";" separator, amounts with a decimal comma):
see :data:`CSV_COLUMNS`.

The estimate itself (one rule for ``check`` and ``scan``) is in
:mod:`spaser.law.estimate`.
"""

from __future__ import annotations

import time
from collections import Counter
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from spaser._gc import paused
from spaser.io.report import ImportReport
from spaser.money import CENT as _CENT
from spaser.law.estimate import (
    SPEND_LABEL,
    default_duration,
    method_text,
)
from spaser.law.law import Law, current_law, simulation_notes
from spaser.law.obligation import year_rule
from spaser.model import ContractKind, EnvironmentalConsideration, SocialConsideration

__all__ = [
    "SPEND_LABEL",
    "CSV_COLUMNS",
    "BuyerLine",
    "ScanResult",
    "scan_decp",
    "write_csv",
    "write_xlsx",
    "format_table",
]



# ---------------------------------------------------------------------------
# The national scan
# ---------------------------------------------------------------------------

_ZERO = Decimal(0)
_SOCIAL_NONE = frozenset({SocialConsideration.AUCUNE})
_ENV_NONE = frozenset({EnvironmentalConsideration.AUCUNE})

# a contract's consideration statuses (_Contracts.flags: social | environmental << 4): yes, no, unknown
_SY, _SN, _SU, _EY, _EN, _EU = range(5, 11)


_NO_DURATION = 0xFFFF  # in _Contracts.months: unknown, the default duration of the chosen year applies
_NO_DATE = -1  # in _Contracts.month
# what a contract is, in _Contracts.what: a marché with its amount, without, with an implausible one; a concession
_OK, _NO_AMOUNT, _IMPLAUSIBLE, _CONCESSION = range(4)


class _Contracts:
    """The accepted contracts of the file, columnar: about 21 bytes each, no object per contract.

    The pass only appends (buyer, what, amount in cents, month of notification,
    duration, consideration statuses); the buyers' counters and totals are then
    summed over the columns at once (numpy, exact integers of cents), and the
    chosen year's figures (known only after the file: the year with the most
    notifications) are computed by :meth:`year_figures`.
    """

    def __init__(self) -> None:
        self.buyer = array("I")
        self.what = array("B")
        self.cents = array("q")  # -1: no usable amount
        self.exp = array("b")  # the amount's exponent, at most 0: the total's Decimal has the smallest one
        self.month = array("i")  # year * 12 + month - 1, or _NO_DATE
        self.months = array("H")
        self.flags = array("B")  # social slot | environmental slot << 4
        self.exact: dict[int, Decimal] = {}  # amounts finer than the cent (none: converters round to the cent)
        self.columns = (self.buyer, self.what, self.cents, self.exp, self.month, self.months, self.flags)
        self.rows: list[tuple[int, ...]] = []  # appended, not yet in the columns

    def add(self, buyer: int, what: int, amount: Decimal | None, d: date | None, months: int | None, flags: int) -> None:
        cents, exp = -1, 0
        if amount is not None and what == _OK:
            q = amount.scaleb(2)
            cents = int(q)
            if q != cents:
                self.exact[len(self.cents) + len(self.rows)] = amount
            e = amount.as_tuple().exponent
            exp = e if type(e) is int and e < 0 else 0
        self.append(buyer, what, cents, exp, _NO_DATE if d is None else d.year * 12 + d.month - 1,
                    _NO_DURATION if months is None else months, flags)

    def append(self, buyer: int, what: int, cents: int, exp: int, month: int, months: int, flags: int) -> None:
        self.rows.append((buyer, what, cents, exp, month, months, flags))
        if len(self.rows) >= 4096:
            self.flush()

    def flush(self) -> None:
        """The pending rows into the columns (C-speed, a few thousand at a time)."""
        if self.rows:
            for column, values in zip(self.columns, zip(*self.rows)):
                column.extend(values)
            self.rows.clear()

    def _slices(self) -> Iterator[tuple[int, Any, Any, Any, Any, Any, Any]]:
        """(start, buyer, what, month, months, cents, flags) of ``_SLICE`` contracts at a time, as numpy
        arrays (flat memory: no temporary array of a million items)."""
        import numpy as np

        columns = [np.frombuffer(c, dtype=t) for c, t in ((self.buyer, np.uint32), (self.what, np.uint8), (self.month, np.int32),
                                                           (self.months, np.uint16), (self.cents, np.int64), (self.flags, np.uint8))]
        for lo in range(0, len(self.buyer), _SLICE):
            b, what, month, months, cents, flags = (c[lo : lo + _SLICE] for c in columns)
            yield lo, b.astype(np.intp), what, month, months, cents, flags

    def counters(self, buyers: int) -> tuple[dict[str, list[int]], list[Decimal], Counter[int]]:
        """Per buyer index: the counts (contracts, concessions, implausible, no_amount, no_date), the
        total of the marchés' amounts (the Decimal that adding them one by one gives), and the
        notifications per year."""
        import numpy as np

        counts = np.zeros((5, buyers), dtype=np.int64)
        cents = np.zeros(buyers, dtype=np.int64)
        exp = np.zeros(buyers, dtype=np.int8)
        years: Counter[int] = Counter()
        exps = np.frombuffer(self.exp, dtype=np.int8)
        for lo, b, what, month, _, cents_c, _ in self._slices():
            marche = what != _CONCESSION
            for row, mask in enumerate((None, ~marche, what == _IMPLAUSIBLE, what == _NO_AMOUNT, marche & (month == _NO_DATE))):
                counts[row] += np.bincount(b if mask is None else b[mask], minlength=buyers)
            ok = what == _OK
            np.add.at(cents, b[ok], cents_c[ok])
            np.minimum.at(exp, b[ok], exps[lo : lo + _SLICE][ok])
            ys, ns = np.unique(month[marche & (month != _NO_DATE)] // 12, return_counts=True)
            years.update(dict(zip(ys.tolist(), ns.tolist())))
        totals = [Decimal(c).scaleb(-2).quantize(Decimal(1).scaleb(e)) for c, e in zip(cents.tolist(), exp.tolist())]
        for i, amount in self.exact.items():  # unreachable today; exact all the same
            k = self.buyer[i]
            totals[k] = totals[k] - Decimal(self.cents[i]).scaleb(-2) + amount
        names = ("contracts", "concessions", "implausible", "no_amount", "no_date")
        return dict(zip(names, counts.tolist())), totals, years

    def year_figures(self, year: int, default: int, buyers: int) -> dict[str, list[Any]]:
        """Per buyer index, the figures of ``year``: ``estimate`` (to the cent), ``used``, ``assumed``,
        ``notified``, ``notified_amount``, ``social_yes/no/unknown``, ``env_yes/no/unknown``.

        Counts and the notified amounts are summed over the columns (numpy, exact integers of
        cents); the estimate adds each contract's share in file order, in Decimal, as
        :func:`spaser.law.estimate.share_in_year` gives it (counted in cents: the same digits).
        """
        import numpy as np

        first_month, last_month = year * 12, year * 12 + 11
        counts = np.zeros((4, buyers), dtype=np.int64)  # notified, notified with an amount, used, assumed
        notified_cents = np.zeros(buyers, dtype=np.int64)
        social = np.zeros(buyers * 3, dtype=np.int64)  # per buyer: yes, no, unknown (_SY, _SN, _SU)
        env = np.zeros(buyers * 3, dtype=np.int64)  # idem (_EY, _EN, _EU)
        est = [_ZERO] * buyers  # in cents
        exact = self.exact
        for lo, b, what, month, months, cents, flags in self._slices():
            assumed = months == _NO_DURATION
            m = np.maximum(np.where(assumed, default, months).astype(np.int32), 1)  # a duration of 0 counts as 1 month
            # months of the year the contract runs (spaser.law.estimate.months_in_year)
            k = np.minimum(month + m - 1, last_month) - np.maximum(month, first_month) + 1
            dated = (what != _CONCESSION) & (month != _NO_DATE)
            notified = dated & (month >= first_month) & (month <= last_month)
            share = dated & (cents >= 0) & (k > 0)
            with_amount = notified & (cents >= 0)
            for row, mask in enumerate((notified, with_amount, share, share & assumed)):
                counts[row] += np.bincount(b[mask], minlength=buyers)
            np.add.at(notified_cents, b[with_amount], cents[with_amount])
            f = flags[notified].astype(np.intp)
            social += np.bincount(b[notified] * 3 + (f & 15) - _SY, minlength=buyers * 3)
            env += np.bincount(b[notified] * 3 + (f >> 4) - _EY, minlength=buyers * 3)
            idx = np.flatnonzero(share)
            for i, bi, c, kk, mm in zip((idx + lo).tolist(), b[idx].tolist(), cents[idx].tolist(), k[idx].tolist(), m[idx].tolist()):
                a = exact[i].scaleb(2) if exact and i in exact else Decimal(c)
                est[bi] += a if kk == mm else a * kk / mm
        notified_n, with_amount_n, used, assumed_n = counts.tolist()
        amounts = [Decimal(c).scaleb(-2) if n else _ZERO for c, n in zip(notified_cents.tolist(), with_amount_n)]
        for i, amount in exact.items():  # unreachable today; exact all the same
            mi = self.month[i]
            if self.what[i] != _CONCESSION and first_month <= mi <= last_month and self.cents[i] >= 0:
                k_ = self.buyer[i]
                amounts[k_] = amounts[k_] - Decimal(self.cents[i]).scaleb(-2) + amount
        out: dict[str, list[Any]] = {
            "estimate": [(e.scaleb(-2) if u else _ZERO).quantize(_CENT, rounding=ROUND_HALF_UP) for e, u in zip(est, used)],
            "used": used,
            "assumed": assumed_n,
            "notified": notified_n,
            "notified_amount": amounts,
        }
        for name, table in (("social", social), ("env", env)):
            yes, no, unknown = table.reshape(buyers, 3).T.tolist()
            out.update({f"{name}_yes": yes, f"{name}_no": no, f"{name}_unknown": unknown})
        return out


_SLICE = 1 << 16  # contracts summed at once after the pass


def _share(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / whole).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) if whole else None


@dataclass(frozen=True, slots=True)  # slots: a national file has tens of thousands of buyers
class BuyerLine:
    """One buyer in the scan (figures for the chosen year unless said)."""

    siret: str | None
    name: str
    contracts: int  # records accepted in the file (all years, concessions included)
    concessions: int
    total_amount: Decimal  # marchés, all years, plausible amounts only
    implausible: int  # contracts whose amount is implausible (excluded from figures)
    estimate: Decimal  # SPEND_LABEL, for the year
    used: int  # contracts with a share in the year
    assumed_duration: int  # among used: duration unknown
    no_amount: int
    no_date: int
    notified: int  # marchés notified in the year
    notified_amount: Decimal
    social_yes: int
    social_no: int
    social_unknown: int
    env_yes: int
    env_no: int
    env_unknown: int
    status: str  # "au-dessus", "en dessous", "indéterminé", "n.d."

    # As in the law engine (PNAD): unknown counts as "without", but when nothing
    # is known (DECP 2019) there is no share to show, not a zero.
    @property
    def social_share(self) -> Decimal | None:
        return None if self.social_unknown == self.notified else _share(self.social_yes, self.notified)

    @property
    def social_unknown_share(self) -> Decimal | None:
        return _share(self.social_unknown, self.notified)

    @property
    def env_share(self) -> Decimal | None:
        return None if self.env_unknown == self.notified else _share(self.env_yes, self.notified)

    @property
    def env_unknown_share(self) -> Decimal | None:
        return _share(self.env_unknown, self.notified)

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d.update(
            social_share=self.social_share,
            social_unknown_share=self.social_unknown_share,
            env_share=self.env_share,
            env_unknown_share=self.env_unknown_share,
        )
        return d


@dataclass(frozen=True)
class ScanResult:
    file: str
    year: int
    buyers: tuple[BuyerLine, ...]  # sorted by estimate, largest first
    report: ImportReport
    threshold: Decimal | None
    threshold_to_confirm: bool
    threshold_source: str
    margin: Decimal
    assiette: str | None
    default_duration_months: int
    layout: str
    elapsed: float
    years: dict[int, int]  # notifications per year (marchés), to choose a year
    label: str = SPEND_LABEL
    law_notes: tuple[str, ...] = ()  # French: the rule applied to the year (basis, scope, or none)

    @property
    def method(self) -> str:
        return method_text(self.year, self.default_duration_months)

    def above(self, amount: Decimal) -> list[BuyerLine]:
        """Buyers whose estimate is strictly above ``amount``."""
        return [b for b in self.buyers if b.estimate > amount]

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "year": self.year,
            "label": self.label,
            "method": self.method,
            "threshold": self.threshold,
            "threshold_to_confirm": self.threshold_to_confirm,
            "threshold_source": self.threshold_source,
            "margin": self.margin,
            "assiette": self.assiette,
            "law_notes": list(self.law_notes),
            "default_duration_months": self.default_duration_months,
            "layout": self.layout,
            "elapsed_seconds": round(self.elapsed, 3),
            "notifications_by_year": {str(k): v for k, v in sorted(self.years.items())},
            "buyers_count": len(self.buyers),
            "buyers_above": sum(1 for b in self.buyers if b.status == "au-dessus"),
            "buyers_undetermined": sum(1 for b in self.buyers if b.status == "indéterminé"),
            "report": {k: v for k, v in self.report.to_dict().items() if k != "issues"},
            "issues": [i.to_dict() for i in self.report.issues],
            "buyers": [b.to_dict() for b in self.buyers],
        }


def _flag(found: frozenset[Any] | None, social: bool) -> int:
    """A contract's social (or environmental, shifted) slot: unknown, none, at least one consideration."""
    if social:
        return _SU if found is None else _SN if not found or found == _SOCIAL_NONE else _SY
    return (_EU if found is None else _EN if not found or found == _ENV_NONE else _EY) << 4


_FLAGS_SOCIAL: dict[Any, int] = {}  # consideration sets -> _flag (a handful)
_FLAGS_ENV: dict[Any, int] = {}


def _fast_pass(stream: Any, ext: Any, plain: Callable[[int, Any], None], number: Callable[[str, str | None, str], int],
               contracts: _Contracts, progress: Callable[[int], None] | None, every: int) -> None:
    """The records of ``stream.fast_records()``: clean ones straight into the columns
    (:meth:`spaser.io.decp.Extractor.extract_batch`), any other through ``plain`` (the reference);
    ``number(key, siret, name)``: the buyer's number."""
    from spaser.io.decp import name_text

    extract_batch, decode, rows, flush = ext.extract_batch, stream.decode, contracts.rows, contracts.flush
    social_flag, env_flag = _FLAGS_SOCIAL, _FLAGS_ENV
    accepted = 0
    for index, recs, extra in stream.fast_records():
        if recs is None:
            if progress is not None and index % every == 0:
                progress(index)
            plain(index, extra)
            continue
        if progress is not None:
            for n in range(-(-index // every) * every, index + len(recs), every):
                progress(n)
        j = 0
        while j < len(recs):
            clean = extract_batch(index, recs, j)  # up to the first record that needs the full extractor
            for buyer, cents, exp, month, duration, s, e in clean:
                k = buyer.index
                if k is None:  # first met in this form (the same SIRET may be written otherwise): its name once
                    k = buyer.index = number(buyer.siret, buyer.siret, name_text(buyer.nom))
                sf = social_flag.get(s)
                if sf is None:
                    sf = social_flag[s] = _flag(s, True)
                ef = env_flag.get(e)
                if ef is None:
                    ef = env_flag[e] = _flag(e, False)
                rows.append((k, _OK, cents, exp, month, _NO_DURATION if duration is None else duration, sf | ef))
            accepted += len(clean)
            j += len(clean)
            if j < len(recs):
                plain(index + j, decode(extra + j))
                j += 1
        flush()
    ext.report.count_accepted(accepted)


def _read(path: Path, report: ImportReport, today: date, fast: bool, progress: Callable[[int], None] | None,
          every: int) -> tuple[dict[str, int], list[str | None], list[str], _Contracts]:
    """The pass over the file: (buyer key -> number, their SIRETs, their names, the accepted contracts).

    The reader and its duplicate table are freed on return, before the year's figures are summed (peak memory).
    """
    from spaser.io.decp import DecpStream, Extractor

    stream = DecpStream(path, check_duplicate_keys=False)
    # A national DECP record takes about 700 bytes or more: the duplicate table is sized once for the file.
    ext = Extractor(report, today=today, suppliers=False, purchases=False, expected=path.stat().st_size // 1024)
    buyers: dict[str, int] = {}  # buyer key -> number, in order of first appearance
    sirets: list[str | None] = []
    names: list[str] = []
    contracts = _Contracts()
    add = contracts.add

    def number(key: str, siret: str | None, bname: str) -> int:
        """The buyer's number (a new one when first met); its name if it had none yet."""
        k = buyers.get(key)
        if k is None:
            k = buyers[key] = len(names)
            sirets.append(siret)
            names.append(bname)
        elif bname and not names[k]:
            names[k] = bname
        return k

    def tally(key: str, siret: str | None, bname: str, what: int, amount: Decimal | None, d: date | None,
              duration: int | None, s: Any, e: Any) -> None:
        """One accepted contract (not a co-contractor's line): its buyer, then its columns."""
        add(number(key, siret, bname), what, amount, d, duration, _flag(s, True) | _flag(e, False))

    def plain(index: int, raw: Any) -> None:
        c = ext.extract(index, raw, duplicate_keys=stream.duplicate_keys.pop(index, None), marked=stream.marked > 0)
        if c is None or c.merge_into is not None:  # rejected, or a co-contractor's line of a contract counted
            return
        what = (_CONCESSION if c.kind is ContractKind.CONCESSION else _NO_AMOUNT if c.amount is None
                else _IMPLAUSIBLE if c.implausible else _OK)
        tally(c.buyer_key, c.buyer_siret, c.buyer_name, what, c.amount, c.date, c.duration, c.social, c.environmental)

    # Acyclic objects only: the cyclic collector would rescan the growing columns' objects again and again (spaser._gc).
    with paused():
        if fast:
            _fast_pass(stream, ext, plain, number, contracts, progress, every)
        else:  # the reference: the plain reader, every record through Extractor.extract
            for index, raw in stream:
                if progress is not None and index % every == 0:
                    progress(index)
                plain(index, raw)
    report.formats.append(ext.format_label(stream.layout, stream.kind))
    report.check()
    contracts.flush()
    return buyers, sirets, names, contracts


def scan_decp(
    path: str | Path,
    *,
    year: int | None = None,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 10_000,
    max_issues: int = 1000,
    law: Law | None = None,
    fast: bool = True,
) -> ScanResult:
    """Stream a DECP file and estimate each buyer's yearly spend.

    ``year`` defaults to the year with the most notifications in the file.
    ``progress(n)`` is called every ``progress_every`` records.
    ``law``: the law to apply (default: the current law, see :func:`spaser.law.current_law`),
    read on 31 December of the year; a what-if law (``law.replace(...)``) is said first in the notes.
    ``fast=False``: the reference reader (ijson, every record through the full extractor),
    for tests; the default reads JSON batches with msgspec and gives the same result.
    Fatal problems raise :class:`spaser.InputError`.
    """
    started = time.perf_counter()
    today = today or date.today()
    name = str(path)
    report = ImportReport(file=name, max_issues=max_issues)
    law = law if law is not None else current_law(today)
    buyers, sirets, names, contracts = _read(Path(path), report, today, fast, progress, progress_every)
    counts, totals, years = contracts.counters(len(names))
    if year is None:
        year = max(years, key=lambda y: (years[y], y)) if years else today.year - 1
    default = default_duration(date(year, 12, 31), law=law)
    fig = contracts.year_figures(year, default, len(names))
    del contracts  # the columns: freed before the lines are built
    rule = year_rule(year, law=law)  # threshold, basis and scope of that year (spaser.law)
    lines = []
    for key, k in buyers.items():
        est = fig["estimate"][k]
        siret = sirets[k]
        bname = names[k] or f"Acheteur {siret or key[1:]}"
        if key.startswith("?"):
            bname = f"{bname} (identifiant invalide « {key[1:]} »)"
        lines.append(
            BuyerLine(
                siret=siret,
                name=bname,
                contracts=counts["contracts"][k],
                concessions=counts["concessions"][k],
                total_amount=totals[k],
                implausible=counts["implausible"][k],
                estimate=est,
                used=fig["used"][k],
                assumed_duration=fig["assumed"][k],
                no_amount=counts["no_amount"][k],
                no_date=counts["no_date"][k],
                notified=fig["notified"][k],
                notified_amount=fig["notified_amount"][k],
                social_yes=fig["social_yes"][k],
                social_no=fig["social_no"][k],
                social_unknown=fig["social_unknown"][k],
                env_yes=fig["env_yes"][k],
                env_no=fig["env_no"][k],
                env_unknown=fig["env_unknown"][k],
                status=rule.status(est, fig["notified_amount"][k]),
            )
        )
    # By the compared figure, the estimate, the total (largest first), then SIRET and name: stable sorts from the
    # last key to the first (no key tuple nor negated Decimal per buyer: flat memory).
    lines.sort(key=lambda b: (b.siret or "", b.name))
    lines.sort(key=lambda b: b.total_amount, reverse=True)
    lines.sort(key=lambda b: b.estimate, reverse=True)
    lines.sort(key=lambda b: rule.compared(b.estimate, b.notified_amount), reverse=True)
    return ScanResult(
        file=name,
        year=year,
        buyers=tuple(lines),
        report=report,
        threshold=rule.threshold,
        threshold_to_confirm=rule.to_confirm,
        threshold_source=rule.source,
        margin=rule.margin,
        assiette=rule.basis,
        default_duration_months=default,
        layout=report.formats[-1].removeprefix("decp-"),
        elapsed=time.perf_counter() - started,
        years=dict(years),
        law_notes=(*simulation_notes(law, "ce classement"), *rule.notes),
    )


# ---------------------------------------------------------------------------
# Outputs
# ---------------------------------------------------------------------------

# (header, description) — the CSV and xlsx columns, in order.
CSV_COLUMNS: list[tuple[str, str]] = [
    ("rang", "rang par dépense annuelle estimée décroissante"),
    ("siret", "SIRET de l'acheteur (vide si l'identifiant du fichier est invalide)"),
    ("acheteur", "nom de l'acheteur tel que publié"),
    ("contrats", "contrats acceptés dans le fichier (toutes années, concessions comprises)"),
    ("concessions", "contrats de concession (hors champ SPASER)"),
    ("montant_total_ht", "somme des montants des marchés, toutes années (montants invraisemblables exclus)"),
    ("depense_annuelle_estimee_ht", SPEND_LABEL + ", pour l'année choisie"),
    ("statut_seuil", "au-dessus / en dessous / indéterminé (estimation proche du seuil) / n.d."),
    ("contrats_dans_estimation", "marchés ayant une part dans l'année"),
    ("duree_supposee", "dont marchés de durée inconnue (durée par défaut supposée)"),
    ("montants_invraisemblables", "marchés exclus : montant invraisemblable"),
    ("sans_montant", "marchés exclus : montant inconnu"),
    ("sans_date", "marchés exclus : date de notification inconnue"),
    ("notifies_annee", "marchés notifiés dans l'année"),
    ("montant_notifie_annee_ht", "montant des marchés notifiés dans l'année"),
    ("part_considerations_sociales", "part des marchés notifiés dans l'année avec au moins une considération sociale"),
    ("part_sociale_inconnue", "part des marchés notifiés dans l'année dont la considération sociale est inconnue"),
    ("part_considerations_environnementales", "idem, considération environnementale"),
    ("part_environnementale_inconnue", "idem, inconnue"),
]


def _row(rank: int, b: BuyerLine) -> list[Any]:
    return [
        rank,
        b.siret or "",
        b.name,
        b.contracts,
        b.concessions,
        b.total_amount,
        b.estimate,
        b.status,
        b.used,
        b.assumed_duration,
        b.implausible,
        b.no_amount,
        b.no_date,
        b.notified,
        b.notified_amount,
        b.social_share,
        b.social_unknown_share,
        b.env_share,
        b.env_unknown_share,
    ]


def _csv_value(v: Any) -> str:
    from spaser.io.safe import safe_cell

    if v is None:
        return ""
    if isinstance(v, Decimal):
        return format(v, "f").replace(".", ",")
    if isinstance(v, int):
        return str(v)
    return str(safe_cell(str(v)))


def write_csv(result: ScanResult, path: str | Path, *, force: bool = False) -> Path:
    """The whole table as CSV (UTF-8 with BOM, ";" separator), written atomically."""
    import csv
    import io

    from spaser.io.safe import write_with

    def writer(fh: Any) -> None:
        text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
        w = csv.writer(text, delimiter=";", lineterminator="\r\n")
        w.writerow([h for h, _ in CSV_COLUMNS])
        for rank, b in enumerate(result.buyers, 1):
            w.writerow([_csv_value(v) for v in _row(rank, b)])
        text.flush()
        text.detach()

    return write_with(path, writer, force=force)


def write_xlsx(result: ScanResult, path: str | Path, *, force: bool = False) -> Path:
    """The table as an .xlsx workbook (openpyxl write-only: flat memory), plus a method sheet."""
    from openpyxl import Workbook

    from spaser.io.safe import atomic_path, safe_cell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Acheteurs")
    ws.append([h for h, _ in CSV_COLUMNS])
    for rank, b in enumerate(result.buyers, 1):
        ws.append([safe_cell(v) if isinstance(v, str) else v for v in _row(rank, b)])
    info = wb.create_sheet("Méthode")
    for line in _summary_lines(result):
        info.append([safe_cell(line)])
    info.append([])
    for h, d in CSV_COLUMNS:
        info.append([h, safe_cell(d)])
    with atomic_path(path, force=force) as tmp:
        wb.save(tmp)
    return Path(path)


def _summary_lines(r: ScanResult) -> list[str]:
    from spaser.money import format_eur, format_number, format_percent

    rep = r.report
    lines = [f"Fichier : {r.file} (format DECP {r.layout})", rep.summary_fr(), f"Année : {r.year} — {format_number(len(r.buyers))} acheteur(s)."]
    if r.threshold is None:  # no rule in force: nothing compared (law_notes says why)
        lines += [f"Chiffre présenté : {SPEND_LABEL}, à titre indicatif.", f"Seuil SPASER en vigueur au 31/12/{r.year} : aucun.", r.method]
    else:
        seuil = format_eur(r.threshold, cents=False) + " HT" + (" [à confirmer]" if r.threshold_to_confirm else "")
        if r.assiette == "montants_notifies":
            lines.append(f"Chiffre comparé au seuil : montant des marchés notifiés dans l'année (assiette de {r.year}) ; {SPEND_LABEL} donnée à titre indicatif.")
        else:
            lines.append(f"Chiffre présenté : {SPEND_LABEL}. C'est une ESTIMATION, pas le chiffre légal.")
        lines.append(f"Seuil SPASER en vigueur au 31/12/{r.year} : {seuil} ({r.threshold_source}).")
        if r.assiette != "montants_notifies":
            lines.append(f"Marge d'incertitude : {format_percent(r.margin, 0)} autour du seuil → « indéterminé ».")
        lines.append(r.method)
    lines.extend(r.law_notes)
    return lines


def format_table(r: ScanResult, *, top: int = 20) -> str:
    """The terminal output: summary then the ``top`` buyers, aligned, in French."""
    from spaser.money import format_eur, format_number, format_percent

    out = _summary_lines(r)
    counts = r.report.counts
    if counts:
        out.append("Problèmes relevés : " + ", ".join(f"{k} : {format_number(v)}" for k, v in sorted(counts.items())) + ".")
    above = sum(1 for b in r.buyers if b.status == "au-dessus")
    undetermined = sum(1 for b in r.buyers if b.status == "indéterminé")
    notified = r.assiette == "montants_notifies"  # before 2023: the contracts concluded in the year
    basis = "montant des marchés notifiés dans l'année" if notified else "estimation"
    if r.threshold is None:
        out.append("Aucun acheteur classé : aucun seuil SPASER en vigueur cette année-là.")
    else:
        out.append(f"Acheteurs au-dessus du seuil ({basis}) : {format_number(above)} ; indéterminés : {format_number(undetermined)}.")
    out.append("")
    figure = f"Marchés notifiés {r.year}" if notified else f"Dépense estimée {r.year}"
    headers = ["Rang", "SIRET", "Acheteur", "Contrats", figure, "Seuil", "Social", "Env.", "Inconnu"]
    rows = []
    for rank, b in enumerate(r.buyers[: max(top, 0)], 1):
        name = b.name if len(b.name) <= 40 else b.name[:39] + "…"
        rows.append(
            [
                str(rank),
                b.siret or "—",
                name,
                format_number(b.contracts),
                format_eur(b.notified_amount if notified else b.estimate, cents=False),
                b.status,
                format_percent(b.social_share, 0),
                format_percent(b.env_share, 0),
                format_percent(b.social_unknown_share, 0),
            ]
        )
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(headers)]
    right = {0, 3, 4, 6, 7, 8}

    def fmt(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out.append(fmt(headers))
    out.append("  ".join("-" * w for w in widths))
    out.extend(fmt(row) for row in rows)
    if len(r.buyers) > top:
        out.append(f"… et {format_number(len(r.buyers) - top)} autre(s) acheteur(s) (--top N pour en voir plus, --csv/--xlsx pour tout).")
    out.append("")
    out.append("Social / Env. : part des marchés notifiés dans l'année avec au moins une considération ; "
               "Inconnu : part dont la considération sociale n'est pas renseignée (toujours le cas au format 2019).")
    return "\n".join(out)
