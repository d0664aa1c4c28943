"""Insertion hours: how many hours of work an insertion clause can ask for.

    hours = amount HT × labour share × insertion rate ÷ loaded hourly cost

The labour share depends on the trade (from the CPV code, refined by the
object text), the rate and the hourly cost are practice defaults; all three
come from the parameters ``insertion.*`` and can be given explicitly.

The amount is the contract's whole value, so the hours are the TOTAL over
the contract. Where the duration is known, the yearly figure is that total
spread evenly over the months (``per_year``): a clause states both, never
the total as a yearly figure.

Rounding (documented choice): below 1 000 h the estimate is rounded to the
nearest hour; from 1 000 h, to the nearest 10 h — the inputs are estimates,
and a clause asking for "12 347 hours" suggests a precision nobody has.
Halves round up.

>>> e = insertion_hours(Decimal("1000000"), labour_share=Decimal("0.5"), rate=Decimal("0.05"),
...                     hourly_cost=Decimal("30"))
>>> e.hours, e.exact.quantize(Decimal("0.01"))
(Decimal('833'), Decimal('833.33'))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from spaser._errors import SpaserError
from spaser.clauses import _law
from spaser.clauses._tables import PhraseIndex, PrefixIndex, normalise, table
from spaser.law.params import Parameter
from spaser.money import CENT, format_eur, format_number, to_decimal

__all__ = ["HoursEstimate", "Assumption", "insertion_hours", "trade_for", "labour_share_for", "round_hours"]



@dataclass(frozen=True)
class Assumption:
    """One input of the estimate and where it comes from."""

    label: str  # French
    value: Decimal
    source: str  # French: "valeur saisie", or the parameter's reference
    to_confirm: bool = False

    def value_text(self, unit: str) -> str:
        if unit == "ratio":
            return format_number(self.value * 100, 1).removesuffix(",0") + "\xa0%"
        if unit == "eur_h":
            return format_number(self.value, 2).removesuffix(",00") + "\xa0€/h"
        return format_eur(self.value, cents=False)


@dataclass(frozen=True)
class HoursEstimate:
    amount_ht: Decimal
    labour_share: Decimal
    rate: Decimal
    hourly_cost: Decimal
    exact: Decimal  # before rounding
    hours: Decimal  # rounded (see module doc)
    trade: str | None  # key of the labour-share table, None when given
    trade_label: str | None
    assumptions: tuple[Assumption, ...] = field(default=())
    duration_months: int | None = None  # the contract's, when known

    @property
    def per_year(self) -> Decimal | None:
        """The total spread evenly over the contract's years (None: duration unknown); same rounding."""
        if not self.duration_months:
            return None
        return round_hours(self.exact * 12 / self.duration_months)

    @property
    def labour_amount(self) -> Decimal:
        return self.amount_ht * self.labour_share

    def explain(self) -> str:
        """French explanation: the formula, each assumption and its source."""
        units = ("eur", "ratio", "ratio", "eur_h")
        lines = [
            f"Estimation : {format_number(self.hours)} heures d'insertion sur toute la durée du contrat "
            f"(calcul exact : {format_number(self.exact, 2)} h, arrondi "
            f"{'à l’heure' if self.exact < _TEN_ROUNDING_FROM else 'à la dizaine d’heures'}).",
            "Formule : montant HT × part de main-d'œuvre × taux d'insertion ÷ coût horaire chargé.",
        ]
        if self.per_year is not None:
            lines.append(f"Par année d'exécution : ≈ {format_number(self.per_year)} heures (durée de {self.duration_months} mois).")
        else:
            lines.append("Durée du contrat inconnue : pas de chiffre annuel.")
        for a, unit in zip(self.assumptions, units, strict=True):
            flag = " — à confirmer" if a.to_confirm else ""
            lines.append(f"- {a.label} : {a.value_text(unit)} ({a.source}{flag})")
        lines.append("Ces valeurs sont des estimations d'usage, à ajuster avec le facilitateur de la clause sociale.")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "hours": self.hours,
            "hours_per_year": self.per_year,
            "duration_months": self.duration_months,
            "exact": self.exact,
            "amount_ht": self.amount_ht,
            "labour_share": self.labour_share,
            "rate": self.rate,
            "hourly_cost": self.hourly_cost,
            "trade": self.trade,
            "trade_label": self.trade_label,
            "explanation": self.explain(),
        }


_TEN_ROUNDING_FROM = Decimal(1000)


def round_hours(exact: Decimal) -> Decimal:
    """To the hour below 1 000 h, to 10 h from 1 000 h (halves up)."""
    if exact < _TEN_ROUNDING_FROM:
        return exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return (exact / 10).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 10


def trade_for(cpv: str | None, object_text: str | None = None) -> str | None:
    """The trade key of a purchase: longest CPV prefix; object keywords refine generic works."""
    best = _trade_of_cpv(cpv)
    generic = best in (None, "batiment")
    if object_text and generic and (cpv is None or cpv.startswith("45")):
        named = _trades_named(object_text)
        if len(named) == 1:  # several trades named: an all-trades contract, keep the generic share
            return named[0]
    return best


# Codes and objects each repeat across a portfolio (their pairs much less): one memo each.
@lru_cache(maxsize=8192)
def _trade_of_cpv(cpv: str | None) -> str | None:
    return _trades_by_prefix().longest(cpv)


@lru_cache(maxsize=1)
def _trades_by_prefix() -> PrefixIndex[str]:
    return PrefixIndex((key, spec["cpv"]) for key, spec in table("labour")["trades"].items())


@lru_cache(maxsize=65536)  # one entry per object text, as normalise
def _trades_named(object_text: str) -> tuple[str, ...]:
    return tuple(_trade_words().keys_in(normalise(object_text)))


@lru_cache(maxsize=1)
def _trade_words() -> PhraseIndex[str]:
    return PhraseIndex(table("labour")["keywords"].items())


def labour_share_for(trade: str | None, at: date | None = None) -> tuple[Decimal, str, str, bool]:
    """(share, trade key used, source text, to_confirm) from the parameters."""
    key = trade or "autres_services"
    insertion = _law.parameters().insertion
    for param in (insertion.part_main_oeuvre, insertion.part_main_oeuvre_estimations):  # the reference first
        f = _law.fact(param, at)
        if f is not None and key in f.value:
            return Decimal(f.value[key]), key, _source(f), f.to_confirm
    f = _law.fact(insertion.part_main_oeuvre_estimations, at)
    if f is None or "autres_services" not in f.value:
        raise SpaserError("Part de main-d'œuvre par défaut introuvable dans les paramètres « insertion ».", code="parameter-missing")
    return Decimal(f.value["autres_services"]), "autres_services", _source(f), f.to_confirm


def _source(f: _law.Fact) -> str:
    return f"{f.citation} ; paramètre « {f.name} »"


def _labour_share(trade: str | None, at: date) -> tuple[Decimal, str, str, bool, str | None]:
    share, key, source, to_confirm = labour_share_for(trade, at)
    return share, key, source, to_confirm, table("labour")["trades"].get(key, {}).get("label")


def _param(param: Parameter, at: date | None) -> tuple[Decimal, str, bool]:
    f = _law.fact(param, at)
    if f is None:
        raise SpaserError(f"Le paramètre « {param.name} » n'a pas de valeur à cette date.", code="parameter-missing")
    return Decimal(f.value), _source(f), f.to_confirm


def insertion_hours(
    amount_ht: Decimal,
    *,
    cpv: str | None = None,
    object: str | None = None,  # noqa: A002 - the purchase's field name
    labour_share: Decimal | None = None,
    rate: Decimal | None = None,
    hourly_cost: Decimal | None = None,
    at: date | None = None,
    duration_months: int | None = None,
) -> HoursEstimate:
    """Estimate the insertion hours of a contract over its whole duration (see module doc)."""
    if not isinstance(amount_ht, Decimal):
        raise TypeError("amount_ht doit être un Decimal (jamais un float)")
    amount_ht = to_decimal(amount_ht)  # within the model's bound (AmountError, in French), NaN refused
    if amount_ht < 0:
        raise SpaserError("Montant négatif : impossible d'estimer des heures d'insertion.", code="usage")
    day = at or date.today()
    trade = trade_for(cpv, object) if labour_share is None else None
    if labour_share is None and rate is None and hourly_cost is None:
        # The usual case: all but the amount read from the parameters, once per trade and date.
        inputs = _law.memoised(("hours_inputs", trade, day), lambda: _inputs(trade, day, None, None, None))
    else:
        inputs = _inputs(trade, day, labour_share, rate, hourly_cost)
    share, rate, hourly_cost, trade, trade_label, assumptions = inputs
    exact = amount_ht * share * rate / hourly_cost
    return HoursEstimate(
        amount_ht=amount_ht,
        labour_share=share,
        rate=rate,
        hourly_cost=hourly_cost,
        exact=exact,
        hours=round_hours(exact),
        trade=trade,
        trade_label=trade_label,
        assumptions=(Assumption("Montant HT", amount_ht, _GIVEN), *assumptions),
        duration_months=duration_months or None,
    )


_GIVEN = "valeur saisie"


def _inputs(
    trade: str | None, day: date, share: Decimal | None, rate: Decimal | None, hourly_cost: Decimal | None
) -> tuple[Decimal, Decimal, Decimal, str | None, str | None, tuple[Assumption, ...]]:
    """(share, rate, hourly cost, trade key, trade label, the assumptions but the amount), each given or from the parameters."""
    # The usual case (nothing given) is remembered whole by insertion_hours, per trade and date.
    if share is None:
        share, key, share_src, share_tc, trade_label = _labour_share(trade, day)
    else:
        key, trade_label, share_src, share_tc = None, None, _GIVEN, False
    if rate is None:
        rate, rate_src, rate_tc = _param(_law.parameters().insertion.taux, day)
    else:
        rate_src, rate_tc = _GIVEN, False
    if hourly_cost is None:
        hourly_cost, cost_src, cost_tc = _param(_law.parameters().insertion.cout_horaire, day)
    else:
        cost_src, cost_tc = _GIVEN, False
    for label, v in (("La part de main-d'œuvre doit être comprise", share), ("Le taux d'insertion doit être compris", rate)):
        if not (v.is_finite() and Decimal(0) <= v <= Decimal(1)):
            raise SpaserError(f"{label} entre 0 et 1 (ex. 0,05 pour 5 %).", code="usage")
    # From a cent an hour: below, the hours of an amount the model holds overflow any rounding.
    if not (hourly_cost.is_finite() and hourly_cost >= CENT):
        raise SpaserError("Le coût horaire doit être d'au moins 0,01 € de l'heure.", code="usage")
    share_label = "Part de main-d'œuvre" + (f" ({trade_label})" if trade_label else "")
    return share, rate, hourly_cost, key, trade_label, (
        Assumption(share_label, share, share_src, share_tc),
        Assumption("Taux d'insertion", rate, rate_src, rate_tc),
        Assumption("Coût horaire chargé", hourly_cost, cost_src, cost_tc),
    )
