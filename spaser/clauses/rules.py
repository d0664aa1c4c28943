"""Suggestion rules: small named functions, one per rule, registered in ``RULES``.

A rule looks at one purchase in a :class:`Context` (the purchase, the date of
the consultation the advice is for, the buyer, the catalogue) and returns
:class:`Proposal` objects: a clause id, a status ("obligatoire" or
"recommandé"), French reasons, a score and the values to fill in the clause
text. Rules hold no legal number: thresholds, rates and switch dates are read
from the law parameters at the context's date. A rule is dated like the law:
it applies only while every parameter ``Rule.requires`` names is in force.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from spaser import cpv as _cpv
from spaser._errors import SpaserError
from spaser.clauses import _law
from spaser.clauses._tables import PrefixIndex, has_any, normalise, table
from spaser.clauses.allotment import AllotmentAdvice, allotment_advice, may_divide
from spaser.clauses.catalogue import Catalogue, Clause, Dimension, Mechanism
from spaser.clauses.hours import HoursEstimate, insertion_hours, trade_for
from spaser.clauses.reservation import ReservationAdvice, can_reserve, ess_eligible_cpv, lot_preference, reservation_options, threshold_at
from spaser.law.compliance import EuThreshold
from spaser.model import (
    AGEC_CATEGORIES,
    Buyer,
    BuyerKind,
    ContractKind,
    EnvironmentalConsideration as Env,
    Nature,
    Portfolio,
    Purchase,
    SocialConsideration as Soc,
)
from spaser.money import format_eur, format_number, format_percent

if TYPE_CHECKING:
    from spaser.law._names import Tree
    from spaser.law.params import Parameter

__all__ = ["Status", "MANDATORY", "RECOMMENDED", "Gives", "Context", "Proposal", "Rule", "RULES", "rule_names", "matching", "matching_clause"]

Status = Literal["obligatoire", "recommandé"]
MANDATORY: Status = "obligatoire"
RECOMMENDED: Status = "recommandé"

# Buyers bound by AGEC art. 58 (the State and local authorities and their groupings).
_AGEC_BUYERS = {
    BuyerKind.ETAT,
    BuyerKind.COMMUNE,
    BuyerKind.EPCI,
    BuyerKind.DEPARTEMENT,
    BuyerKind.REGION,
    BuyerKind.COLLECTIVITE_AUTRE,
}


def _fr(d: date) -> str:
    return d.strftime("%d/%m/%Y")


_T = TypeVar("_T")


class _once(Generic[_T]):
    """``functools.cached_property`` without its lock (Python 3.11 takes one at each first read,
    for every context of every purchase): a context is read by one thread."""

    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func, self.name = func, func.__name__
        self.__doc__ = func.__doc__

    def __get__(self, obj: Any, owner: type | None = None) -> _T:
        if obj is None:
            return self  # type: ignore[return-value]
        value = obj.__dict__[self.name] = self.func(obj)
        return value


@dataclass
class Context:
    """What the rules see: one purchase, the date of its (next) consultation, the buyer."""

    purchase: Purchase
    at: date
    catalogue: Catalogue
    buyer: Buyer | None = None
    portfolio: Portfolio | None = None
    # matching() results for this purchase, by query: several rules ask the same one.
    _matches: dict[tuple[Any, ...], list[tuple[Clause, int]]] = field(default_factory=dict, repr=False, compare=False)

    # Read by every rule: worked out once per purchase.
    digits: int | None = field(init=False, repr=False, compare=False)  # the only part of the amount _score and the memo keys read
    memo_scope: object = field(init=False, repr=False, compare=False)  # _law.memo_scope() when the context is made (see _remembered)
    lacks: tuple[str | None, str | None] = field(init=False, repr=False, compare=False)  # missing(): social, environmental

    def __post_init__(self) -> None:
        p = self.purchase
        amount = p.amount_ht
        # The integer part's digit count, read from the exponent (str(int()) refuses over 4 300 digits); None: no positive amount.
        self.digits = max(amount.adjusted() + 1, 1) if amount is not None and amount > 0 else None
        self.memo_scope = _law.memo_scope()
        self.lacks = (_lacking("sociale", p.social_status), _lacking("environnementale", p.environmental_status))

    @property
    def buyer_kind(self) -> BuyerKind:
        return self.buyer.kind if self.buyer else BuyerKind.AUTRE

    @_once
    def text(self) -> str:
        """The object and place, normalised ONCE for every keyword any rule looks for (has_any)."""
        p = self.purchase
        # The object alone, as allotment and hours look it up (the same normalisation, from the cache).
        return normalise(p.object) + (" " + normalise(p.location) if p.location else "")

    @_once
    def climat_switch(self) -> date | None:
        """First date the per-contract Climat obligations apply (from the parameter)."""
        p = _law.parameters().climat.obligations_par_marche
        return next((v.start for v in p.values if v.value), None)

    @_once
    def climat_in_force(self) -> bool:
        return bool(_law.value_or_none(_law.parameters().climat.obligations_par_marche, self.at))

    @property
    def defence(self) -> bool:
        return self.purchase.kind is ContractKind.MARCHE_DEFENSE

    @_once
    def threshold(self) -> EuThreshold | None:
        return threshold_at(self.buyer_kind, self.purchase.nature, self.at, self.purchase.kind)

    @_once
    def reservation(self) -> ReservationAdvice:
        return can_reserve(self.purchase, at=self.at, portfolio=self.portfolio, buyer_kind=self.buyer_kind)

    @_once
    def insertion_clause(self) -> tuple[Clause, int] | None:
        """The sector insertion clause for this purchase (the ANRU one has its own rule); asked by three rules."""
        return _picked(self, "insertion_clause", _most_specific, family="insertion", without="insertion-anru")  # type: ignore[no-any-return]

    @_once
    def allotment(self) -> AllotmentAdvice:
        return allotment_advice(self.purchase, at=self.at)

    def hours(self, rate: Decimal | None = None) -> HoursEstimate | None:
        p = self.purchase
        if p.amount_ht is None or p.amount_ht <= 0:
            return None
        if p.nature is Nature.FOURNITURES and trade_for(p.cpv, p.object) is None:
            return None  # a supply with no known trade: no labour share to apply
        return insertion_hours(p.amount_ht, cpv=p.cpv, object=p.object, rate=rate, at=self.at, duration_months=p.duration_months)

    @_once
    def default_hours(self) -> HoursEstimate | None:
        return self.hours()

    def cpv_text(self) -> str:
        p = self.purchase
        if not p.cpv:
            return "code CPV non renseigné"
        return _cpv_text(p.cpv)

    def missing(self, dimension: Dimension) -> str | None:
        """French sentence on what the current purchase lacks in this dimension (None: nothing lacking)."""
        return self.lacks[dimension is Dimension.ENVIRONNEMENTAL]

    def has(self, consideration: Soc | Env | None) -> bool:
        p = self.purchase
        if consideration is None:
            return False
        values = p.social if isinstance(consideration, Soc) else p.environmental
        return bool(values) and consideration in values  # type: ignore[operator]


def _most_specific(found: Iterable[tuple[Clause, int]]) -> tuple[Clause, int] | None:
    """The most specific of :func:`matching`'s answers: the longest CPV match, then the first id."""
    return min(found, key=lambda cs: (-cs[1], cs[0].id), default=None)


def _lacking(word: str, status: str) -> str | None:
    if status == "non":
        return f"Le marché actuel ne comporte aucune considération {word}."
    if status == "inconnu":
        return f"Considération {word} non renseignée pour cet achat."
    return None


@lru_cache(maxsize=8192)  # codes repeat across a portfolio
def _cpv_text(code: str) -> str:
    return f"code CPV {_cpv.format(code)} ({_cpv.lookup(code).label_fr})"


@dataclass(frozen=True)
class Proposal:
    clause_id: str
    status: Status
    reasons: tuple[str, ...]
    score: int
    rule: str
    values: dict[str, Any] = field(default_factory=dict)
    hours: HoursEstimate | None = None
    effect: str | None = None  # computed effect, before the clause's own


# What a rule's clauses can give a contract (their DECP consideration, ``Clause.consideration``):
# a social one, a reservation, an environmental one, or none.
Gives = Literal["sociale", "réservé", "environnementale", "aucune"]


@dataclass(frozen=True)
class Rule:
    name: str
    description: str  # French
    func: Callable[[Context], list[Proposal]]
    requires: Callable[[Tree], tuple[Parameter, ...]] | None = None  # the parameters that date the rule (all must be in force)
    # Declared so that advice needing only some answers can leave a rule out (opportunities);
    # tests/test_suggest_fast.py checks the proposals against them. A rule that declares them also
    # scores as _score does (a mandatory proposal above any recommendation). Unknown: no rule left out.
    gives: Gives | None = None
    mandatory: bool = True  # whether the rule may propose a clause as mandatory

    def in_force(self, at: date) -> bool:
        requires = self.requires
        if requires is None:
            return True
        return _law.memoised(("rule_in_force", self.name, at), lambda: all(_law.value_or_none(p, at) is not None for p in requires(_law.parameters())))  # type: ignore[no-any-return]

    def __call__(self, ctx: Context) -> list[Proposal]:
        return self.func(ctx) if self.in_force(ctx.at) else []


RULES: list[Rule] = []


def rule(
    description: str, *, requires: Callable[[Tree], tuple[Parameter, ...]] | None = None, gives: Gives | None = None, mandatory: bool = True
) -> Callable[[Callable[[Context], list[Proposal]]], Callable[[Context], list[Proposal]]]:
    def register(func: Callable[[Context], list[Proposal]]) -> Callable[[Context], list[Proposal]]:
        RULES.append(Rule(func.__name__, description, func, requires, gives, mandatory))
        return func

    return register


def rule_names() -> list[str]:
    return [r.name for r in RULES]


# -- matching ------------------------------------------------------------------
def matching(ctx: Context, *, family: str | None = None, mechanism: Mechanism | None = None, need_cpv: bool = False) -> Iterator[tuple[Clause, int]]:
    """Clauses whose applicability fits the purchase, with the CPV match length."""
    key = (family, mechanism, need_cpv)
    found = ctx._matches.get(key)
    if found is None:
        p = ctx.purchase
        static, conditional = _static_matches(ctx.catalogue, p.cpv, p.nature, family, mechanism, need_cpv)
        # Most clauses fit on the code and the nature alone: then the shared list is the answer (only iterated).
        found = ctx._matches[key] = [cs for cs in static if _fits(ctx, cs[0])] if conditional else static
    return iter(found)


def matching_clause(ctx: Context, clause_id: str, *, family: str | None = None, need_cpv: bool = False) -> tuple[Clause, int] | None:
    """The first of :func:`matching`'s answers that is ``clause_id``, without fitting the others."""
    p = ctx.purchase
    cs = _static_by_id(ctx.catalogue, p.cpv, p.nature, need_cpv).get(clause_id)
    if cs is None or (family and cs[0].family != family) or not _fits(ctx, cs[0]):
        return None
    return cs


def _static_by_id(cat: Catalogue, cpv: str | None, nature: Nature | None, need_cpv: bool) -> dict[str, tuple[Clause, int]]:
    """:func:`_static_matches` (any family or mechanism) by clause id, in the same memo (a clause fits once at most)."""
    key = ("by_id", cpv, nature, need_cpv)
    found = cat.derived.get(key)
    if found is None:
        found = cat.derived[key] = {c.id: (c, spec) for c, spec in _static_matches(cat, cpv, nature, None, None, need_cpv)[0]}
    return found  # type: ignore[no-any-return]


def _picked(ctx: Context, name: str, pick: Callable[[Iterable[tuple[Clause, int]]], Any], *, family: str | None = None,
            mechanism: Mechanism | None = None, without: str | None = None) -> Any:
    """``pick`` of :func:`matching`'s answers (CPV needed) but the clause ``without``, remembered by code
    and nature when none of the clauses it picks from reads more (the text, the amount): then these two
    decide, as for :func:`_static_matches`, in the same memo. ``name`` stands for the pick and its other
    arguments (one call site each)."""
    p, cat = ctx.purchase, ctx.catalogue
    key = (name, p.cpv, p.nature)
    found = cat.derived.get(key, _UNSEEN)
    if found is _UNSEEN:
        static, _ = _static_matches(cat, p.cpv, p.nature, family, mechanism, True)
        kept = [cs for cs in static if cs[0].id != without]
        found = cat.derived[key] = _FITTED if any(_conditional(c) for c, _ in kept) else pick(kept)
    if found is _FITTED:  # a clause reads more: fitted for this purchase
        return pick(cs for cs in matching(ctx, family=family, mechanism=mechanism, need_cpv=True) if cs[0].id != without)
    return found


_UNSEEN, _FITTED = object(), object()  # _picked's memo: not worked out yet; depends on more than the code and nature


def _conditional(c: Clause) -> bool:
    """Whether the clause's applicability reads more than the CPV code and the nature."""
    a = c.applies
    return bool(a.keywords or a.min_amount_parameter or a.max_amount_parameter or a.from_parameter or a.until_parameter)


def _fits(ctx: Context, c: Clause) -> bool:
    """The conditions of :func:`_conditional`."""
    p, a = ctx.purchase, c.applies
    if a.keywords and not has_any(ctx.text, a.keywords, normalised=True):
        return False
    if not _amount_ok(a.min_amount_parameter, a.max_amount_parameter, p.amount_ht, ctx.at):
        return False
    if a.from_parameter and _law.value_or_none(a.from_parameter, ctx.at) is None:
        return False
    if a.until_parameter and _law.value_or_none(a.until_parameter, ctx.at) is not None:
        return False
    return True


# In the catalogue's ``derived`` memo: (cpv, nature, family, mechanism, need_cpv) -> the clauses fitting
# on these alone and whether one of them is conditional; (cpv,) -> the clauses fitting the code. They
# depend on nothing else, and codes repeat across a portfolio: each is worked out once per key.
def _static_matches(
    cat: Catalogue, cpv: str | None, nature: Nature | None, family: str | None, mechanism: Mechanism | None, need_cpv: bool
) -> tuple[list[tuple[Clause, int]], bool]:
    key = (cpv, nature, family, mechanism, need_cpv)
    found = cat.derived.get(key)
    if found is None:
        fits = []
        for c, spec in _cpv_fits(cat, cpv):
            if family and c.family != family:
                continue
            if mechanism and c.mechanism is not mechanism:
                continue
            if need_cpv and spec == 0:
                continue
            if c.applies.natures and nature not in c.applies.natures:
                continue
            fits.append((c, spec))
        found = cat.derived[key] = (fits, any(_conditional(c) for c, _ in fits))
    return found  # type: ignore[no-any-return]


def _cpv_fits(cat: Catalogue, cpv: str | None) -> list[tuple[Clause, int]]:
    """The clauses whose CPV applicability fits ``cpv``, with their ``cpv_match`` length, in catalogue order."""
    found = cat.derived.get((cpv,))
    if found is None:
        clauses, no_code, listed, excluded = _cpv_index(cat)
        # Applicability.cpv_match for every clause at once: the longest listed prefix (0 when the
        # clause lists none); none when a prefix is excluded, or when the clause needs a code.
        spec = list(no_code)
        for n, i in listed.hits(cpv):
            spec[i] = n
        for _, i in excluded.hits(cpv):
            spec[i] = None
        found = cat.derived[(cpv,)] = [(c, n) for c, n in zip(clauses, spec) if n is not None]
    return found  # type: ignore[no-any-return]


def _cpv_index(cat: Catalogue) -> tuple[list[Clause], list[int | None], PrefixIndex[int], PrefixIndex[int]]:
    """The clauses, their match with no code, and their listed and excluded CPV prefixes indexed by position."""
    found = cat.derived.get("cpv_index")
    if found is None:
        clauses = list(cat)
        found = cat.derived["cpv_index"] = (
            clauses,
            [None if c.applies.cpv_prefixes else 0 for c in clauses],
            PrefixIndex((i, c.applies.cpv_prefixes) for i, c in enumerate(clauses)),
            PrefixIndex((i, c.applies.exclude_cpv_prefixes) for i, c in enumerate(clauses)),
        )
    return found  # type: ignore[no-any-return]




def _amount_ok(lo: str | None, hi: str | None, amount: Decimal | None, at: date) -> bool:
    if amount is None:
        return True
    low = _law.value_or_none(lo, at) if lo else None
    high = _law.value_or_none(hi, at) if hi else None
    return (low is None or amount >= low) and (high is None or amount < high)


def _score(ctx: Context, *, mandatory: bool, specificity: int = 0, bonus: int = 0, dimension: Dimension | None = None) -> int:
    """Deterministic score: mandatory first, then CPV specificity, amount, missing dimension, potential."""
    s = 1000 if mandatory else 0
    s += 15 * specificity
    if ctx.digits:
        s += 10 * ctx.digits  # ≈ 10 × log10(amount)
    if dimension is not None and ctx.missing(dimension):
        s += 60
    return s + bonus


def _cpv_reason(ctx: Context, spec: int) -> str:
    return f"Le {ctx.cpv_text()} relève du champ de cette clause." if spec else ""


def _reasons(*items: str | None) -> tuple[str, ...]:
    return tuple(i for i in items if i)


# A rule's proposals by (rule, date, the inputs it really reads): thousands of purchases
# share them. An entry holds for the loaded parameters and one catalogue (kept in the
# entry, so its id() cannot be reused while the entry lives). Emptied when full.
_RULE_MEMO: dict[tuple[Any, ...], tuple[object, Catalogue, list[Proposal]]] = {}
_RULE_MEMO_MAX = 65536


def _remembered(ctx: Context, key: tuple[Any, ...], compute: Callable[[], list[Proposal]]) -> list[Proposal]:
    """``compute()``, which must depend only on ``key``, the date, the catalogue and the parameters."""
    scope = ctx.memo_scope
    full = (*key, ctx.at, id(ctx.catalogue))
    hit = _RULE_MEMO.get(full)
    if hit is not None and hit[0] is scope and hit[1] is ctx.catalogue:
        return list(hit[2])
    found = compute()
    if len(_RULE_MEMO) >= _RULE_MEMO_MAX:
        _RULE_MEMO.clear()
    _RULE_MEMO[full] = (scope, ctx.catalogue, found)
    return list(found)


def _switch_reason(ctx: Context, articles: str) -> tuple[bool, str]:
    """(mandatory, sentence) for the Climat per-contract obligations at the context's date."""
    # Depends on the date, the defence flag and the parameters only: asked for every purchase.
    return _law.memoised(("switch_reason", articles, ctx.at, ctx.defence), lambda: _switch(ctx, articles))  # type: ignore[no-any-return]


def _switch(ctx: Context, articles: str) -> tuple[bool, str]:
    sw = ctx.climat_switch
    cite = _law.citation(_law.parameters().climat.obligations_par_marche, sw) if sw else ""
    if ctx.defence:
        return False, f"Marché de défense ou de sécurité : la prise en compte reste facultative (art. L2312-1-1), mais recommandée ({articles})."
    if ctx.climat_in_force and sw:
        return True, f"Obligatoire pour les consultations lancées à compter du {_fr(sw)} ({articles} ; {cite})."
    if sw:
        return False, f"Deviendra obligatoire pour les consultations lancées à compter du {_fr(sw)} ({articles}) ; anticiper dès maintenant."
    return False, ""


def _hours_values(h: HoursEstimate | None) -> tuple[dict[str, Any], str | None, str | None]:
    """The clause's values (total over the contract, and the yearly figure when the duration is known)."""
    if h is None:
        return {}, None, "Nombre d'heures à fixer avec le facilitateur (montant ou part de main-d'œuvre inconnus)."
    hours = format_number(h.hours)
    yearly = h.per_year
    yearly_text = format_number(yearly) if yearly is not None else ""
    per_year = f", soit ≈ {yearly_text} heures par année d'exécution (durée de {h.duration_months} mois)" if yearly is not None else ""
    why = (
        f"Estimation : {format_eur(h.amount_ht, cents=False)} HT × {_hours_terms(h.labour_share, h.trade_label, h.rate, h.hourly_cost)} "
        f"≈ {hours} heures sur toute la durée du marché{per_year} (valeurs d'usage, à ajuster avec le facilitateur)."
    )
    values: dict[str, Any] = {"heures": h.hours, "heures_par_an": yearly if yearly is not None else ""}
    return values, f"≈ {hours} heures d'insertion sur la durée du marché" + (f" (≈ {yearly_text} par an)" if yearly is not None else ""), why


@lru_cache(maxsize=1024)  # the same few trades and rates for every purchase
def _hours_terms(share: Decimal, trade_label: str | None, rate: Decimal, hourly_cost: Decimal) -> str:
    return (
        f"{format_percent(share, 0)} de main-d'œuvre{' (' + trade_label.lower() + ')' if trade_label else ''} × "
        f"{format_percent(rate, 0)} ÷ {format_number(hourly_cost)} €/h"
    )


# -- the rules -----------------------------------------------------------------
@rule("Condition d'exécution environnementale (art. L2112-2), exigée de tout marché à partir de l'échéance de la loi Climat et résilience.", gives="environnementale")
def climat_condition_environnementale(ctx: Context) -> list[Proposal]:
    p = ctx.purchase
    return _remembered(ctx, ("climat_condition_environnementale", p.kind, p.environmental, ctx.digits), lambda: _climat_condition_environnementale(ctx))


def _climat_condition_environnementale(ctx: Context) -> list[Proposal]:
    c = ctx.catalogue.get("condition-environnementale")
    mandatory, why = _switch_reason(ctx, "art. L2112-2")
    if ctx.has(Env.CLAUSE):
        if not mandatory:
            return []
        why += " Le marché actuel en comporte une : la reconduire."
    return [
        Proposal(c.id, MANDATORY if mandatory else RECOMMENDED, _reasons(why, ctx.missing(Dimension.ENVIRONNEMENTAL)),
                 _score(ctx, mandatory=mandatory, bonus=80, dimension=Dimension.ENVIRONNEMENTAL), "climat_condition_environnementale")
    ]


@rule("Critère d'attribution environnemental (art. L2152-7, R2152-7), exigé à partir de l'échéance de la loi Climat et résilience.", gives="environnementale")
def climat_critere_environnemental(ctx: Context) -> list[Proposal]:
    p = ctx.purchase
    return _remembered(ctx, ("climat_critere_environnemental", p.kind, p.environmental, ctx.digits, _life_cycle_cost(ctx)), lambda: _climat_critere_environnemental(ctx))


def _life_cycle_cost(ctx: Context) -> bool:
    """Whether the life-cycle cost clause fits (as one of :func:`matching`'s answers, without fitting the others)."""
    return matching_clause(ctx, "cout-cycle-de-vie", need_cpv=True) is not None


def _climat_critere_environnemental(ctx: Context) -> list[Proposal]:
    c = ctx.catalogue.get("critere-environnemental")
    mandatory, why = _switch_reason(ctx, "art. L2152-7 et R2152-7 : le prix seul ne peut plus être le critère")
    if ctx.has(Env.CRITERE):
        if not mandatory:
            return []
        why += " Le marché actuel en comporte un : le reconduire."
    alt = None
    if _life_cycle_cost(ctx):
        alt = "Pour cet achat, un critère unique de coût du cycle de vie peut aussi satisfaire l'obligation (voir la clause « cout-cycle-de-vie »)."
    return [
        Proposal(c.id, MANDATORY if mandatory else RECOMMENDED, _reasons(why, alt, ctx.missing(Dimension.ENVIRONNEMENTAL)),
                 _score(ctx, mandatory=mandatory, bonus=70, dimension=Dimension.ENVIRONNEMENTAL), "climat_critere_environnemental")
    ]


@rule("Spécifications techniques tenant compte du développement durable (art. L2111-2), exigées à partir de l'échéance de la loi Climat et résilience.", gives="environnementale")
def climat_specifications(ctx: Context) -> list[Proposal]:
    p = ctx.purchase
    specs = _sector_specifications(ctx)
    # The code matters only when a sector specification is named (its reason cites the code).
    key = ("climat_specifications", p.kind, ctx.has(Env.CLAUSE), ctx.digits, p.cpv if specs else None, tuple((c.id, s) for c, s in specs) if specs else ())
    return _remembered(ctx, key, lambda: _climat_specifications(ctx))


def _sector_specifications(ctx: Context) -> list[tuple[Clause, int]]:
    # A label is one way among others to meet L2111-2, never itself mandatory: only technical
    # specifications stand for the obligation (labels are recommended by their own rule).
    return _picked(ctx, "sector_specifications", _environmental, mechanism=Mechanism.SPECIFICATION_TECHNIQUE)  # type: ignore[no-any-return]


def _environmental(found: Iterable[tuple[Clause, int]]) -> list[tuple[Clause, int]]:
    return [(c, s) for c, s in found if c.dimension is Dimension.ENVIRONNEMENTAL]


def _climat_specifications(ctx: Context) -> list[Proposal]:
    mandatory, why = _switch_reason(ctx, "art. L2111-2")
    specs = _sector_specifications(ctx)
    best = _most_specific(specs)
    if best is not None:
        c, spec = best
        reasons = _reasons(why, "Les spécifications techniques doivent prendre en compte le développement durable : cette clause, adaptée à cet achat, y répond (d'autres exigences équivalentes sont possibles).", _cpv_reason(ctx, spec))
    else:
        c, spec = ctx.catalogue.get("specification-developpement-durable"), 0
        reasons = _reasons(why, "Aucune spécification sectorielle du catalogue ne correspond : rédiger les exigences propres au besoin.")
    if not mandatory and ctx.has(Env.CLAUSE):
        return []
    return [Proposal(c.id, MANDATORY if mandatory else RECOMMENDED, reasons, _score(ctx, mandatory=mandatory, specificity=spec, bonus=40), "climat_specifications")]


@rule("Condition d'exécution sociale obligatoire à partir du seuil européen (art. L2112-2-1), pour les consultations lancées à partir de l'échéance de la loi Climat et résilience.", gives="sociale")
def climat_condition_sociale(ctx: Context) -> list[Proposal]:
    p, th = ctx.purchase, ctx.threshold
    if th is None or p.amount_ht is None or p.amount_ht < th.value:
        return []
    best = ctx.insertion_clause
    c, spec = best if best else (ctx.catalogue.get("condition-sociale-generique"), 0)
    who = "cet acheteur" if ctx.buyer is not None or p.nature is Nature.TRAVAUX else "un acheteur de type non précisé (seuil des collectivités et autres pouvoirs adjudicateurs retenu)"
    amount = f"Valeur estimée {format_eur(p.amount_ht, cents=False)} HT, au moins égale au seuil européen de {format_eur(th.value, cents=False)} HT applicable à {who}."
    mandatory, why = _switch_reason(ctx, "art. L2112-2-1")
    notes = [amount, why, th.note]
    if p.social_exemption is not None:
        mandatory = False
        notes.append(f"Motif d'exception enregistré : {p.social_exemption.label}. Le conserver au dossier ; la clause reste recommandée.")
    if ctx.has(Soc.CLAUSE):
        if not mandatory:
            return []
        notes.append("Le marché actuel en comporte une : la reconduire.")
    values, effect, hours_why = _hours_values(ctx.default_hours)
    notes += [_cpv_reason(ctx, spec), hours_why, ctx.missing(Dimension.SOCIAL)]
    bonus = 100 + min(int(ctx.default_hours.hours) // 50, 200) if ctx.default_hours else 100
    return [
        Proposal(c.id, MANDATORY if mandatory else RECOMMENDED, _reasons(*notes), _score(ctx, mandatory=mandatory, specificity=spec, bonus=bonus, dimension=Dimension.SOCIAL),
                 "climat_condition_sociale", values, ctx.default_hours, effect)
    ]


@rule("Clause d'insertion dans les secteurs où elle est d'usage courant (travaux, propreté, espaces verts, restauration, déchets...).", requires=lambda ps: (ps.insertion.taux,), gives="sociale", mandatory=False)
def clause_insertion(ctx: Context) -> list[Proposal]:
    best = ctx.insertion_clause
    if best is None or ctx.has(Soc.CLAUSE):
        return []
    c, spec = best
    h = ctx.default_hours
    values, effect, hours_why = _hours_values(h)
    if c.id == "insertion-mise-a-disposition":
        values, effect = {}, "part des heures de mission confiée à des personnes éloignées de l'emploi"
    bonus = 90 + (min(int(h.hours) // 50, 200) if h else 0)
    return [
        Proposal(c.id, RECOMMENDED, _reasons(_cpv_reason(ctx, spec), "Secteur où la clause d'insertion est d'usage courant et suivie par les facilitateurs.", hours_why, ctx.missing(Dimension.SOCIAL)),
                 _score(ctx, mandatory=False, specificity=spec, bonus=bonus, dimension=Dimension.SOCIAL), "clause_insertion", values, h, effect)
    ]


@rule("Clause d'insertion renforcée des projets de renouvellement urbain (charte ANRU) quand l'objet vise un quartier prioritaire.", requires=lambda ps: (ps.anru.insertion_travaux,), gives="sociale", mandatory=False)
def clause_insertion_anru(ctx: Context) -> list[Proposal]:
    found = matching_clause(ctx, "insertion-anru", family="insertion")
    if found is None:
        return []
    c, spec = found
    gup = ctx.purchase.nature is not Nature.TRAVAUX
    anru = _law.parameters().anru
    f = _law.fact(anru.insertion_gestion_urbaine if gup else anru.insertion_travaux, ctx.at)
    if f is None:
        return []
    h = ctx.hours(rate=Decimal(f.value))
    values, effect, hours_why = _hours_values(h)
    values["taux"] = f.value
    which = "gestion urbaine de proximité" if gup else "travaux"
    why = f"L'objet ou le lieu vise un quartier prioritaire ou un projet de renouvellement urbain : taux ANRU ({which}) de {format_percent(f.value, 0)}{f.caveat}."
    return [
        Proposal(c.id, RECOMMENDED, _reasons(why, hours_why, ctx.missing(Dimension.SOCIAL)),
                 _score(ctx, mandatory=False, specificity=max(spec, 4), bonus=150, dimension=Dimension.SOCIAL), "clause_insertion_anru", values, h, effect)
    ]


@rule("Critère d'attribution social (performance en matière d'insertion) en complément de la clause d'insertion.", gives="sociale", mandatory=False)
def critere_social(ctx: Context) -> list[Proposal]:
    p = ctx.purchase
    if ctx.has(Soc.CRITERE):
        return []  # what _critere_social says first, without a key
    return _remembered(ctx, ("critere_social", p.social, p.nature, ctx.digits, ctx.insertion_clause is None), lambda: _critere_social(ctx))


def _critere_social(ctx: Context) -> list[Proposal]:
    if ctx.has(Soc.CRITERE) or ctx.insertion_clause is None:
        return []
    c = ctx.catalogue.get("critere-insertion")
    if ctx.purchase.nature not in c.applies.natures:
        return []
    return [
        Proposal(c.id, RECOMMENDED, _reasons("Complète la clause d'insertion : les candidats sont départagés sur la qualité de l'accompagnement proposé, pas sur le nombre d'heures.", ctx.missing(Dimension.SOCIAL)),
                 _score(ctx, mandatory=False, bonus=30, dimension=Dimension.SOCIAL), "critere_social")
    ]


@rule("Marché ou lot réservé aux SIAE, EA et ESAT (art. L2113-12 à L2113-14) dans les secteurs où ces structures interviennent.", requires=lambda ps: (ps.reservation.part_travailleurs,), gives="réservé", mandatory=False)
def reservation_inclusive(ctx: Context) -> list[Proposal]:
    p = ctx.purchase
    if p.is_reserved or not any(o.recommended for o in reservation_options(p.cpv)):
        return []  # what ctx.reservation would say, without building it
    # Besides the code, the advice reads only whether a lot is preferred, and why (not the ESS check).
    lot = lot_preference(p, ctx.at, ctx.buyer_kind, True)
    return _remembered(ctx, ("reservation_inclusive", p.cpv, lot, ctx.lacks[0], ctx.digits), lambda: _reservation_inclusive(ctx))


def _reservation_inclusive(ctx: Context) -> list[Proposal]:
    adv = ctx.reservation
    if adv.already_reserved or not any(o.recommended for o in adv.options):
        return []
    rec = [o for o in adv.options if o.recommended]
    joint = next((o for o in rec if o.article == "L2113-14"), None)
    option = joint or rec[0]
    reasons = [*option.reasons, adv.condition]
    if adv.lot_preferred:
        c = ctx.catalogue.get("lot-reserve")
        reasons.insert(0, adv.lot_reason)
        values: dict[str, Any] = {"lot": adv.sectors[0] if adv.sectors else "[à compléter]"}
    else:
        c = ctx.catalogue.get(option.clause_id)
        values = {}
    return [
        Proposal(c.id, RECOMMENDED, _reasons(*reasons, ctx.missing(Dimension.SOCIAL)),
                 _score(ctx, mandatory=False, specificity=4, bonus=80, dimension=Dimension.SOCIAL), "reservation_inclusive", values)
    ]


@rule("Marché réservé aux entreprises de l'ESS pour les services sociaux et culturels listés (art. L2113-15).", requires=lambda ps: (ps.reservation.ess_cpv_eligibles,), gives="réservé", mandatory=False)
def reservation_ess(ctx: Context) -> list[Proposal]:
    if ctx.purchase.is_reserved or not ess_eligible_cpv(ctx.purchase.cpv, ctx.at)[0]:
        return []  # what ctx.reservation would say, without building it
    adv = ctx.reservation
    if adv.already_reserved or not adv.ess.eligible:
        return []
    c = ctx.catalogue.get("reserve-ess")
    bonus = 60 if adv.ess.exact else 20
    return [
        Proposal(c.id, RECOMMENDED, _reasons(*adv.ess.reasons, "Conditions de l'article L2113-15 à confirmer dans le texte français.", ctx.missing(Dimension.SOCIAL)),
                 _score(ctx, mandatory=False, specificity=8 if adv.ess.exact else 4, bonus=bonus, dimension=Dimension.SOCIAL), "reservation_ess")
    ]


@rule("Allotissement (art. L2113-10) quand l'objet regroupe des prestations séparables ou plusieurs sites ; sinon, motivation (art. L2113-11).", gives="aucune", mandatory=False)
def allotissement(ctx: Context) -> list[Proposal]:
    if not may_divide(ctx.purchase):  # the advice is built only when lots are advised
        return []
    adv = ctx.allotment
    if not adv.divide:
        return []
    lots = "\n".join(f"- lot n° {i} : {lot.label}" for i, lot in enumerate(adv.lots, 1)) or "[à compléter : liste des lots]"
    flagged = [lot.label for lot in adv.lots if lot.inclusive or lot.small]
    extra = f"Lots à la portée des SIAE, EA, ESAT ou entreprises de l'ESS : {', '.join(flagged)}." if flagged else None
    out = [
        Proposal("allotissement", RECOMMENDED, _reasons(*adv.reasons, extra), _score(ctx, mandatory=False, bonus=50), "allotissement", {"lots": lots}),
        Proposal("justification-non-allotissement", RECOMMENDED,
                 ("À utiliser seulement si l'acheteur décide de ne pas allotir : les motifs de l'article L2113-11 doivent alors être exposés.",),
                 _score(ctx, mandatory=False), "allotissement"),
    ]
    return out


def _family_rule(ctx: Context, family: str, rule_name: str, bonus: int, why: str) -> list[Proposal]:
    p = ctx.purchase
    found = tuple((c.id, spec) for c, spec in matching(ctx, family=family, need_cpv=True))
    if not found:
        return []
    key = (rule_name, family, bonus, why, found, p.cpv, p.social, p.environmental, ctx.digits)
    return _remembered(ctx, key, lambda: _family_proposals(ctx, family, rule_name, bonus, why))


def _family_proposals(ctx: Context, family: str, rule_name: str, bonus: int, why: str) -> list[Proposal]:
    out = []
    for c, spec in matching(ctx, family=family, need_cpv=True):
        if ctx.has(c.consideration) and family != "labels":
            continue
        out.append(Proposal(c.id, RECOMMENDED, _reasons(_cpv_reason(ctx, spec), why, ctx.missing(c.dimension)),
                            _score(ctx, mandatory=False, specificity=spec, bonus=bonus, dimension=c.dimension), rule_name))
    return out


@rule("Critères de l'Union européenne pour des marchés publics écologiques (GPP), par groupe de produits.", gives="environnementale", mandatory=False)
def marches_ecologiques_ue(ctx: Context) -> list[Proposal]:
    return _family_rule(ctx, "gpp", "marches_ecologiques_ue", 40, "Reprend le niveau « essentiel » des critères européens pour ce groupe de produits.")


@rule("Exigence de label (art. R2111-12 à R2111-17), toujours avec « ou équivalent ».", gives="environnementale", mandatory=False)
def labels(ctx: Context) -> list[Proposal]:
    return _family_rule(ctx, "labels", "labels", 20, "Un label précis peut être exigé s'il est lié à l'objet du marché ; tout label équivalent doit être accepté.")


@rule("Coût du cycle de vie (art. R2152-9 et R2152-10) pour les achats dont l'usage et la fin de vie pèsent lourd.", gives="environnementale", mandatory=False)
def cout_cycle_de_vie(ctx: Context) -> list[Proposal]:
    found = matching_clause(ctx, "cout-cycle-de-vie", need_cpv=True)
    if found is None:
        return []
    c, spec = found
    return [
        Proposal(c.id, RECOMMENDED, _reasons(_cpv_reason(ctx, spec), "Énergie, maintenance et fin de vie représentent une part importante du coût complet de cet achat."),
                 _score(ctx, mandatory=False, specificity=spec, bonus=30, dimension=Dimension.ENVIRONNEMENTAL), "cout_cycle_de_vie")
    ]


@lru_cache(maxsize=8192)  # codes repeat across a portfolio; the table is fixed
def agec_category(cpv: str | None) -> int | None:
    """AGEC art. 58 product category of a CPV code (longest prefix in tables/agec.yaml)."""
    return _agec_by_prefix().longest(cpv)


@lru_cache(maxsize=1)
def _agec_by_prefix() -> PrefixIndex[int]:
    return PrefixIndex((int(cat), prefixes) for cat, prefixes in table("agec")["categories"].items())


@rule("Réemploi, réutilisation et matières recyclées (loi AGEC, art. 58) pour les catégories de produits du décret n° 2024-134.", gives="environnementale", mandatory=False)
def agec_reemploi(ctx: Context) -> list[Proposal]:
    p = ctx.purchase
    category = p.agec_category or agec_category(p.cpv)
    if category is None:
        return []  # what _agec_reemploi says, without a key: most purchases are in no AGEC category
    return _remembered(ctx, ("agec_reemploi", ctx.buyer is None, ctx.buyer_kind, category, p.environmental, ctx.digits), lambda: _agec_reemploi(ctx))


def _agec_reemploi(ctx: Context) -> list[Proposal]:
    if ctx.buyer is not None and ctx.buyer_kind not in _AGEC_BUYERS:
        return []
    cat = ctx.purchase.agec_category or agec_category(ctx.purchase.cpv)
    if cat is None:
        return []
    label = AGEC_CATEGORIES[cat]
    who = "" if ctx.buyer is not None else " (obligation de l'État et des collectivités territoriales : à vérifier pour cet acheteur)"
    reasons = [f"Catégorie AGEC n° {cat} « {label} » : part annuelle minimale d'achats issus du réemploi ou intégrant des matières recyclées{who}."]
    values: dict[str, Any] = {}
    if cat == 1:
        c = ctx.catalogue.get("agec-textiles")
        textiles = _law.parameters().agec.categorie_01
        re_, rc = _law.fact(textiles.reemploi, ctx.at), _law.fact(textiles.recycle, ctx.at)
        if re_ is None or rc is None:
            return []
        reasons.append(f"Taux en vigueur : {format_percent(re_.value, 0)} réemploi, {format_percent(rc.value, 0)} matières recyclées ({re_.citation}).")
    elif cat == 2:
        c = ctx.catalogue.get("agec-informatique-reemploi")
        reasons.append("Taux de la catégorie non renseigné dans les paramètres : le compléter (spaser check --agec-taux).")
    else:
        c = ctx.catalogue.get("agec-reemploi-recycle")
        values = {"categorie": label}
        reasons.append("Taux de la catégorie non renseigné dans les paramètres : fixer les parts dans la clause (spaser check --agec-taux).")
    return [Proposal(c.id, RECOMMENDED, _reasons(*reasons, ctx.missing(Dimension.ENVIRONNEMENTAL)),
                     _score(ctx, mandatory=False, specificity=6, bonus=50, dimension=Dimension.ENVIRONNEMENTAL), "agec_reemploi", values)]


@rule("Produits durables et de qualité en restauration collective (loi EGalim, art. L230-5-1 du code rural).", requires=lambda ps: (ps.egalim.part_durable,), gives="environnementale", mandatory=False)
def egalim(ctx: Context) -> list[Proposal]:
    p = ctx.purchase
    found = tuple((c.id, spec) for c, spec in matching(ctx, family="egalim", need_cpv=True))
    if not found:
        return []  # what _egalim says, without a key
    return _remembered(ctx, ("egalim", p.cpv, p.environmental, ctx.digits, found), lambda: _egalim(ctx))


def _egalim(ctx: Context) -> list[Proposal]:
    out = []
    for c, spec in matching(ctx, family="egalim", need_cpv=True):
        params_ = [p.law for p in ctx.catalogue.get(c.id).parameters.values() if p.unit == "ratio"]
        facts = [_law.fact(n, ctx.at) for n in params_ if n]
        if any(f is None for f in facts):
            continue  # a rate not yet in force at this date
        rates = " ; ".join(f"{format_percent(f.value, 0)} ({f.citation})" for f in facts if f)
        why = f"Objectifs légaux de la restauration collective, par restaurant et par année civile : {rates}."
        level2 = _law.note(_law.parameters().egalim.certification_niveau_2, ctx.at)  # what counts changes on 1 January 2027
        out.append(Proposal(c.id, RECOMMENDED, _reasons(_cpv_reason(ctx, spec), why, level2, ctx.missing(Dimension.ENVIRONNEMENTAL)),
                            _score(ctx, mandatory=False, specificity=spec, bonus=70, dimension=Dimension.ENVIRONNEMENTAL), "egalim"))
    return out


@rule("Produits issus du commerce équitable (café, thé, cacao, fruits tropicaux, textiles...).", gives="sociale", mandatory=False)
def commerce_equitable(ctx: Context) -> list[Proposal]:
    found = matching_clause(ctx, "commerce-equitable", need_cpv=True)
    if found is None:
        return []
    c, spec = found
    return [
        Proposal(c.id, RECOMMENDED, _reasons(_cpv_reason(ctx, spec), "Filière où des produits équitables labellisés existent ; en restauration collective, ils comptent aussi pour EGalim.", ctx.missing(Dimension.SOCIAL)),
                 _score(ctx, mandatory=False, specificity=spec, bonus=20, dimension=Dimension.SOCIAL), "commerce_equitable")
    ]


def _labour_trade(ctx: Context) -> str | None:
    """``ctx.default_hours.trade`` without estimating the hours of every purchase."""
    if "default_hours" in ctx.__dict__:  # already estimated
        return ctx.default_hours.trade if ctx.default_hours else None
    p = ctx.purchase
    if p.amount_ht is None or p.amount_ht <= 0:
        return None
    trade = trade_for(p.cpv, p.object)
    if p.nature is Nature.FOURNITURES and trade is None:
        return None
    # Given a positive amount, the estimate's trade (and any error) depends on this trade and the date only.
    try:
        return _law.memoised(("labour_trade", trade, ctx.at), lambda: ctx.default_hours.trade)  # type: ignore[union-attr,no-any-return]
    except SpaserError as e:
        if e.code != "parameter-missing":
            raise
        return None  # no labour share at this date (before the insertion parameters): not known to be labour-heavy


@rule("Égalité professionnelle et prévention des discriminations pour les marchés de main-d'œuvre.", gives="sociale", mandatory=False)
def egalite_non_discrimination(ctx: Context) -> list[Proposal]:
    trade = _labour_trade(ctx)
    if ctx.has(Soc.CLAUSE) or trade is None or trade == "autres_services":
        return []  # only where the labour share is known to be significant
    return _remembered(ctx, ("egalite_non_discrimination", ctx.purchase.nature, ctx.missing(Dimension.SOCIAL), ctx.digits), lambda: _egalite(ctx))


def _egalite(ctx: Context) -> list[Proposal]:
    out = []
    for cid in ("egalite-femmes-hommes", "lutte-discriminations"):
        c = ctx.catalogue.get(cid)
        if c.applies.natures and ctx.purchase.nature not in c.applies.natures:
            continue
        out.append(Proposal(cid, RECOMMENDED, _reasons("Marché à forte intensité de main-d'œuvre : engagement simple à suivre, lié aux conditions d'exécution.", ctx.missing(Dimension.SOCIAL)),
                            _score(ctx, mandatory=False, bonus=0, dimension=Dimension.SOCIAL), "egalite_non_discrimination"))
    return out


@rule("Recours à des SIAE, EA ou ESAT en sous-traitance ou cotraitance pour les marchés importants de travaux et de services.", gives="sociale", mandatory=False)
def sous_traitance_inclusive(ctx: Context) -> list[Proposal]:
    th, p = ctx.threshold, ctx.purchase
    if p.nature not in (Nature.TRAVAUX, Nature.SERVICES) or th is None or p.amount_ht is None or p.amount_ht < th.value / 2:
        return []
    return [Proposal("sous-traitance-ess", RECOMMENDED, _reasons("Marché important : une part des prestations peut être confiée à des structures inclusives sans réserver le marché.", ctx.missing(Dimension.SOCIAL)),
                     _score(ctx, mandatory=False, bonus=10, dimension=Dimension.SOCIAL), "sous_traitance_inclusive")]


@rule("Matériaux biosourcés ou bas carbone dans la construction et la rénovation lourde (art. L228-4 du code de l'environnement).", gives="environnementale", mandatory=False)
def materiaux_biosources(ctx: Context) -> list[Proposal]:
    found = matching_clause(ctx, "materiaux-biosources", need_cpv=True)
    if found is None:
        return []
    c, spec = found
    param = _law.parameters().construction.biosources_bas_carbone  # read only for the purchases it concerns
    first = next((v for v in param.values if v.value is not None), None)
    when = (
        f"À partir du {_fr(first.start)}, au moins {format_percent(first.value, 0)} des rénovations lourdes et constructions relevant de la commande publique doivent en utiliser (art. L228-4 du code de l'environnement)."
        if first else None
    )
    return [Proposal(c.id, RECOMMENDED, _reasons(_cpv_reason(ctx, spec), when), _score(ctx, mandatory=False, specificity=spec, bonus=20, dimension=Dimension.ENVIRONNEMENTAL), "materiaux_biosources")]


@rule("Gestion des déchets de chantier pour les travaux, réduction des emballages pour les fournitures.", gives="environnementale", mandatory=False)
def dechets_emballages(ctx: Context) -> list[Proposal]:
    out = []
    for cid in ("chantier-dechets", "emballages-livraisons"):
        c = ctx.catalogue.get(cid)
        if ctx.purchase.nature in c.applies.natures and not ctx.has(Env.CLAUSE):
            out.append(Proposal(cid, RECOMMENDED, _reasons("Mesure simple à contrôler, adaptée à la nature de l'achat.", ctx.missing(Dimension.ENVIRONNEMENTAL)),
                                _score(ctx, mandatory=False, bonus=0, dimension=Dimension.ENVIRONNEMENTAL), "dechets_emballages"))
    return out
