"""National targets for one year: PNAD (number of contracts), EGalim and AGEC art. 58 (value).

Each result gives the target, the actual share, the gap and the reference;
``status`` is "atteint", "non atteint", "à vérifier" (unknown data could
change the answer), "non mesurable" (no denominator) or "taux non renseigné"
(AGEC categories whose rate the reference does not give).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import yaml

from spaser._errors import InputError
from spaser.law.indicators import ConsiderationIndicators, YearIndicators, share, year_indicators
from spaser.law.law import Law, parameters_of
from spaser.law.params import Parameter, ParametersBase, Reference
from spaser.model import AGEC_CATEGORIES, CALENDAR_YEARS, AgecKind, BuyerKind, EgalimCategory, Portfolio, Purchase, calendar_year
from spaser.money import AmountError, format_eur, format_percent, to_decimal

__all__ = ["TargetStatus", "TargetResult", "AgecRates", "load_agec_rates", "pnad_floor", "pnad_indicators", "pnad_targets", "national_share", "egalim_targets", "agec_targets", "targets"]

TargetStatus = Literal["atteint", "non atteint", "à vérifier", "non mesurable", "taux non renseigné"]


@dataclass(frozen=True)
class TargetResult:
    """One target for one year. Shares are Decimal in [0, 1]; gap = target - actual (>0: short)."""

    name: str  # stable code, e.g. "pnad.environnement", "egalim.bio", "agec.01.reemploi"
    label: str  # French
    year: int
    basis: str  # "nombre" | "valeur"
    target: Decimal | None
    actual: Decimal | None
    gap: Decimal | None
    status: TargetStatus
    numerator: Decimal  # count (as Decimal) or € HT
    denominator: Decimal
    missing: Decimal | None = None  # contracts (or € HT) still needed to reach the target
    unknown: int = 0  # items whose information is unknown
    references: tuple[Reference, ...] = ()
    to_confirm: bool = False
    source: str = "loi"  # "loi" | "utilisateur" (AGEC rates supplied by the user)
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "year": self.year,
            "basis": self.basis,
            "target": self.target,
            "actual": self.actual,
            "gap": self.gap,
            "status": self.status,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "missing": self.missing,
            "unknown": self.unknown,
            "references": [r.to_dict() for r in self.references],
            "to_confirm": self.to_confirm,
            "source": self.source,
            "notes": list(self.notes),
        }


def _status(actual: Decimal | None, upper: Decimal | None, target: Decimal) -> TargetStatus:
    if actual is None:
        return "non mesurable"
    if actual >= target:
        return "atteint"
    if upper is not None and upper >= target:
        return "à vérifier"
    return "non atteint"


def _gap(target: Decimal, actual: Decimal | None) -> Decimal | None:
    return None if actual is None else max(target - actual, Decimal(0))


# -- PNAD ---------------------------------------------------------------------------------


def pnad_floor(year: int, *, law: Law | None = None) -> tuple[Decimal | None, str]:
    """The PNAD measurement floor in force in ``year`` (None: none, every contract counts) and its French note."""
    at = date(calendar_year(year), 12, 31)  # the first use of a year the advice is asked (opportunities(year=...))
    floor_value = parameters_of(law).pnad.seuil_mesure.at(at)
    if floor_value is None:
        return None, "Aucun seuil de mesure national en vigueur cette année : tous les contrats sont comptés."
    floor = floor_value.value
    note = (
        f"Mesure de la cible nationale sur les contrats d'au moins {format_eur(floor, cents=False)} HT "
        f"({'données essentielles DECP' if floor_value.start.year >= 2024 else 'recensement économique'}) ; les contrats plus petits ne sont pas comptés."
    )
    return floor, note


def pnad_indicators(portfolio: Portfolio, year: int, *, law: Law | None = None) -> YearIndicators:
    """The year's indicators on the PNAD measurement perimeter (floor in force that year)."""
    floor, note = pnad_floor(year, law=law)
    return year_indicators(portfolio, year, floor=floor, floor_note=note)


def national_share(dimension: ConsiderationIndicators) -> tuple[Decimal | None, Decimal | None]:
    """The national measure of one dimension on its perimeter: (share, upper bound).

    Contracts with at least one consideration over every contract counted; unknown ones count as
    without (the upper bound counts them as with); None when nothing is known (e.g. DECP 2019).
    """
    n, yes, unknown = dimension.yes.denominator_count, dimension.yes.count, dimension.unknown.count
    if n and unknown == n:
        return None, None
    return share(yes, n), share(yes + unknown, n)


def pnad_targets(portfolio: Portfolio, year: int, *, indicators: YearIndicators | None = None, law: Law | None = None) -> list[TargetResult]:
    at = date(year, 12, 31)
    ps = parameters_of(law)
    ind = indicators or pnad_indicators(portfolio, year, law=law)
    out = []
    horizon = ps.pnad.echeance.at(at)
    for name, dimension, param in (
        ("pnad.environnement", ind.environmental, ps.pnad.cible_environnementale),
        ("pnad.social", ind.social, ps.pnad.cible_sociale),
    ):
        v = param.at(at)
        if v is None:
            continue
        adjective = "environnementale" if dimension.dimension == "environnemental" else "sociale"
        target = v.value
        n, yes, unknown = ind.contracts, dimension.yes.count, dimension.unknown.count
        notes = []
        actual, upper = national_share(dimension)
        if actual is None and n:
            # Nothing is known (e.g. DECP 2019 format): no share to report, not a zero.
            notes.append("Information inconnue pour tous les contrats (par exemple données DECP au format 2019) : part non mesurable.")
        missing = None
        if actual is not None and actual < target:
            missing = Decimal(max(math.ceil(target * n - yes), 0))
        if ind.floor_note:
            notes.append(ind.floor_note)
        if horizon is not None:
            notes.append(f"Cible fixée pour {horizon.value} (plan en vigueur : {v.references[0].title}).")
        if unknown:
            notes.append(f"{unknown} contrat(s) sans information : comptés comme sans considération ; la part pourrait atteindre {format_percent(upper)}.")
        if missing:
            notes.append(f"Il faudrait {missing} contrat(s) de plus avec au moins une considération {adjective} pour atteindre la cible.")
        out.append(
            TargetResult(
                name=name,
                label=f"Part des contrats notifiés avec au moins une considération {adjective} (PNAD)",
                year=year,
                basis="nombre",
                target=target,
                actual=actual,
                gap=_gap(target, actual),
                status=_status(actual, upper, target),
                numerator=Decimal(yes),
                denominator=Decimal(n),
                missing=missing,
                unknown=unknown,
                references=v.references,
                to_confirm=v.to_confirm or bool(horizon and horizon.to_confirm),
                notes=tuple(notes),
            )
        )
    return out


# -- EGalim -------------------------------------------------------------------------------


def _value_in_year(p: Purchase, year: int) -> Decimal | None:
    """Actual spend in the year if given, else the amount of a contract notified that year."""
    if p.spend_by_year:
        return p.spend_by_year.get(year)
    if p.year == year and p.amount_ht is not None:
        return p.amount_ht
    return None


def egalim_targets(portfolio: Portfolio, year: int, *, purchases: Iterable[Purchase] | None = None, law: Law | None = None) -> list[TargetResult]:
    """Value shares of EGalim-tagged food purchases (collective catering), per calendar year.

    ``purchases``: the portfolio's purchases to read, when the caller already set aside the tagged ones.
    """
    at = date(year, 12, 31)
    food = [(p, v) for p in (portfolio.purchases if purchases is None else purchases) if p.egalim is not None and (v := _value_in_year(p, year)) is not None and v > 0]
    if not food:
        return []
    note = "Valeur : dépenses de l'année quand elles sont fournies, sinon montant HT des marchés notifiés dans l'année."
    out = []
    egalim = parameters_of(law).egalim
    level2 = egalim.certification_niveau_2.at(at)  # what counts changes on 1 January 2027

    def result(name: str, label: str, param: Parameter, items: list[tuple[Purchase, Decimal]], ok: set[EgalimCategory], extra: str | None = None) -> None:
        v = param.at(at)
        if v is None or not items:
            return
        num = sum((x for p, x in items if p.egalim in ok), Decimal(0))
        den = sum((x for _, x in items), Decimal(0))
        actual = share(num, den)
        missing = max(v.value * den - num, Decimal(0)).quantize(Decimal("0.01")) if actual is not None and actual < v.value else None
        notes = [note] + ([level2.note] if level2 is not None and level2.note else []) + ([extra] if extra else [])
        out.append(TargetResult(name, label, year, "valeur", v.value, actual, _gap(v.value, actual), _status(actual, None, v.value), num, den, missing, 0, v.references, v.to_confirm, "loi", tuple(notes)))

    durable = {EgalimCategory.BIO, EgalimCategory.DURABLE}
    result("egalim.durable", "Produits durables et de qualité (bio compris) dans les achats alimentaires (EGalim)", egalim.part_durable, food, durable)
    result("egalim.bio", "Produits biologiques dans les achats alimentaires (EGalim)", egalim.part_bio, food, {EgalimCategory.BIO})
    meat = [(p, x) for p, x in food if p.egalim_meat_fish]
    if portfolio.buyer.kind == BuyerKind.ETAT:
        result("egalim.viandes_poissons", "Viandes et poissons durables et de qualité, restaurants de l'État (EGalim)", egalim.part_viandes_poissons_etat, meat, durable)
    else:
        extra = "Restaurants collectifs de l'État : 100 % (non appliqué à ce type d'acheteur)." if portfolio.buyer.kind == BuyerKind.ETABLISSEMENT_PUBLIC_ETAT else None
        result("egalim.viandes_poissons", "Viandes et poissons durables et de qualité (EGalim)", egalim.part_viandes_poissons, meat, durable, extra)
    return out


# -- AGEC art. 58 -------------------------------------------------------------------------


@dataclass(frozen=True)
class AgecRates:
    """Rates supplied by the user: (category, kind) -> [(first year, rate)], sorted."""

    rates: dict[tuple[int, AgecKind], list[tuple[int, Decimal]]]
    file: str

    def at(self, category: int, kind: AgecKind, year: int) -> Decimal | None:
        found = None
        for first, rate in self.rates.get((category, kind), []):
            if first <= year:
                found = rate
        return found


def load_agec_rates(path: str | Path) -> AgecRates:
    """Read a user's AGEC rate table (CSV ``categorie;type;annee;taux`` or YAML list of the same keys).

    ``type`` is ``reemploi`` or ``recycle``; ``taux`` a ratio (0,15) or a percentage (15 %);
    an empty ``taux`` is skipped. A rate applies from ``annee`` until the next one.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise InputError(f"table des taux AGEC illisible ({e.strerror}).", code="agec-rates-invalid", file=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("table des taux AGEC illisible : texte UTF-8 attendu (enregistrez-la en CSV UTF-8).", code="agec-rates-invalid",
                         file=str(path)) from None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            rows = yaml.safe_load(text) or []
        except yaml.YAMLError as e:
            raise InputError(f"table des taux AGEC illisible ({e}).", code="agec-rates-invalid", file=str(path)) from None
        if not isinstance(rows, list):
            raise InputError("une liste de lignes (categorie, type, annee, taux) est attendue.", code="agec-rates-invalid", file=str(path))
        numbered = list(enumerate(rows, start=1))
    else:
        try:
            dialect = csv.Sniffer().sniff(text.splitlines()[0] if text.strip() else ";", delimiters=";,\t")
        except csv.Error:  # one column, or no header: « categorie;type;annee;taux » is missing
            raise InputError("en-tête « categorie;type;annee;taux » attendu en première ligne.", code="agec-rates-invalid", file=str(path)) from None
        numbered = list(enumerate(csv.DictReader(text.splitlines(), dialect=dialect), start=2))
    rates: dict[tuple[int, AgecKind], list[tuple[int, Decimal]]] = {}
    for row_no, row in numbered:
        if not isinstance(row, dict):
            raise InputError("ligne illisible.", code="agec-rates-invalid", file=str(path), row=row_no)
        raw = str(row.get("taux") or "").strip()
        if not raw:
            continue
        try:
            category = int(str(row.get("categorie", "")).strip())
            kind = AgecKind(str(row.get("type", "")).strip())
            year = int(str(row.get("annee", "")).strip())
            percent = raw.endswith("%")
            rate = to_decimal(raw.rstrip("%").strip())
        except (ValueError, AmountError):
            raise InputError(
                "ligne invalide : categorie (1 à 17), type (reemploi ou recycle), annee (AAAA) et taux (0,15 ou 15 %) attendus.",
                code="agec-rates-invalid", file=str(path), row=row_no,
            ) from None  # fmt: skip
        if percent or rate > 1:
            rate = rate / 100
        if category not in AGEC_CATEGORIES or kind == AgecKind.AUTRE or not 0 <= rate <= 1 or year not in CALENDAR_YEARS:
            raise InputError("catégorie, type, année ou taux hors des valeurs admises.", code="agec-rates-invalid", file=str(path), row=row_no)
        rates.setdefault((category, kind), []).append((year, rate))
    return AgecRates({k: sorted(v) for k, v in rates.items()}, str(path))


def agec_targets(
    portfolio: Portfolio, year: int, *, user_rates: AgecRates | None = None, purchases: Iterable[Purchase] | None = None, law: Law | None = None
) -> list[TargetResult]:
    """For each AGEC category present in the year's purchases: value share of reuse and of recycled content.

    ``purchases``: as for ``egalim_targets``.
    """
    by_cat: dict[int, list[tuple[Purchase, Decimal]]] = {}
    for p in portfolio.purchases if purchases is None else purchases:
        if p.agec_category is not None and (v := _value_in_year(p, year)) is not None and v > 0:
            by_cat.setdefault(p.agec_category, []).append((p, v))
    out = []
    ps = parameters_of(law)
    for cat in sorted(by_cat):
        items = by_cat[cat]
        den = sum((x for _, x in items), Decimal(0))
        unknown = sum(1 for p, _ in items if p.agec_kind is None)
        for kind, word in ((AgecKind.REEMPLOI, "issus du réemploi ou de la réutilisation"), (AgecKind.RECYCLE, "intégrant des matières recyclées")):
            num = sum((x for p, x in items if p.agec_kind == kind), Decimal(0))
            actual = share(num, den)
            rate = _agec_param(ps, cat, kind)
            value = rate.at(date(year, 12, 31)) if rate else None  # the rate for the year, as in force at its end (2024: from 1 July)
            user = user_rates.at(cat, kind, year) if user_rates else None
            target, source, to_confirm = None, "loi", False
            refs: tuple[Reference, ...] = ()
            notes = []
            if user is not None:
                target, source = user, "utilisateur"
                notes.append(f"Taux fourni par l'utilisateur (fichier « {user_rates.file} »), non vérifié par spaser." if user_rates else "Taux fourni par l'utilisateur.")
            elif value is not None:
                target, refs, to_confirm = value.value, value.references, value.to_confirm
            label = f"AGEC art. 58 — {AGEC_CATEGORIES[cat]} : part des achats {word}"
            if unknown:
                notes.append(f"{unknown} achat(s) de la catégorie sans indication (réemploi, recyclé ou neuf).")
            if target is None:
                notes.append("Taux non renseigné dans la référence du projet : complétez la table des taux (spaser check --agec-taux).")
                out.append(TargetResult(f"agec.{cat:02d}.{kind.value}", label, year, "valeur", None, actual, None, "taux non renseigné", num, den, None, unknown, (), False, source, tuple(notes)))
                continue
            upper = share(num + sum((x for p, x in items if p.agec_kind is None), Decimal(0)), den)
            missing = max(target * den - num, Decimal(0)).quantize(Decimal("0.01")) if actual is not None and actual < target else None
            out.append(
                TargetResult(f"agec.{cat:02d}.{kind.value}", label, year, "valeur", target, actual, _gap(target, actual), _status(actual, upper, target), num, den, missing, unknown, refs, to_confirm, source, tuple(notes))
            )
    return out


def _agec_param(ps: ParametersBase, category: int, kind: AgecKind) -> Parameter | None:
    # The category is data (the purchase's): its rate, when the law sets one, is found by name.
    return ps.get(f"agec.categorie_{category:02d}.{kind.value}")


def targets(
    portfolio: Portfolio,
    year: int,
    *,
    user_agec_rates: AgecRates | None = None,
    pnad: YearIndicators | None = None,
    tagged: Sequence[Purchase] | None = None,
    law: Law | None = None,
) -> list[TargetResult]:
    """Every target measurable for ``year``: PNAD, then EGalim, then AGEC.

    ``tagged``: the purchases with an EGalim or AGEC tag, in portfolio order, when already set aside.
    """
    return (
        pnad_targets(portfolio, year, indicators=pnad, law=law)
        + egalim_targets(portfolio, year, purchases=tagged, law=law)
        + agec_targets(portfolio, year, user_rates=user_agec_rates, purchases=tagged, law=law)
    )
