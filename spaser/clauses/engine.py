"""The suggestion engine: which clauses fit a purchase, why, and with what text.

The advice is for the purchase's next consultation: the date that decides
what is mandatory is ``at`` when given, else the purchase's
``consultation_date``, else today. For a purchase already made (from a
file), the next consultation is its renewal: the command line, the web page
and :func:`spaser.clauses.opportunities` pass ``at`` (default: today), so
that one purchase gets the same advice alone or in the portfolio. Ranking is deterministic: score
(mandatory first, then CPV specificity, amount, missing dimension, potential
such as insertion hours), then clause id.

>>> from datetime import date
>>> p = planned_purchase("Nettoyage des locaux administratifs", "90910000", Decimal("300000"), date(2026, 9, 1))
>>> s = suggest(p)
>>> [(x.clause_id, x.status) for x in s[:3]]
[('insertion-proprete', 'obligatoire'), ('condition-environnementale', 'obligatoire'), ('critere-environnemental', 'obligatoire')]
>>> s[0].expected_effect.split(" ;")[0]
"≈ 400 heures d'insertion sur la durée du marché"
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from spaser import cpv as _cpv
from spaser._errors import SpaserError
from spaser.clauses import _law
from spaser.clauses.catalogue import Catalogue, Clause, catalogue as _catalogue
from spaser.clauses.hours import HoursEstimate
from spaser.clauses.rules import MANDATORY, RULES, Context, Gives, Proposal, Rule, Status
from spaser.model import Buyer, ContractKind, Nature, Portfolio, Purchase
from spaser.money import to_decimal
from spaser.law.law import Law, current_law

__all__ = ["Suggestion", "suggest", "planned_purchase", "advice_date", "ranked_proposals", "rules_in_force", "build"]


@dataclass(frozen=True)
class Suggestion:
    """One clause suggested for one purchase."""

    clause_id: str
    title: str
    status: Status  # "obligatoire" | "recommandé"
    dimension: str  # French label
    mechanism: str  # French label
    document: str  # where to paste it (RC, CCAP, CCTP...)
    legal_basis: str  # "art. L2112-2 CCP ; ..."
    rationale: tuple[str, ...]  # French sentences
    text: str  # the clause, parameters filled
    expected_effect: str
    verification: str
    source: str
    score: int
    rules: tuple[str, ...]
    purchase_id: str
    consideration: str | None  # DECP value the contract gains (PNAD indicators)
    hours: HoursEstimate | None = None
    to_confirm: bool = False  # rests on a value marked "à confirmer"

    @property
    def mandatory(self) -> bool:
        return self.status == MANDATORY

    def to_dict(self) -> dict[str, Any]:
        return {
            "purchase_id": self.purchase_id,
            "clause_id": self.clause_id,
            "title": self.title,
            "status": self.status,
            "dimension": self.dimension,
            "mechanism": self.mechanism,
            "document": self.document,
            "legal_basis": self.legal_basis,
            "rationale": list(self.rationale),
            "text": self.text,
            "expected_effect": self.expected_effect,
            "verification": self.verification,
            "source": self.source,
            "consideration": self.consideration,
            "score": self.score,
            "rules": list(self.rules),
            "insertion_hours": self.hours.hours if self.hours else None,
            "to_confirm": self.to_confirm,
        }


def advice_date(purchase: Purchase, at: date | None) -> date:
    """The date of the consultation the advice is for."""
    return at or purchase.consultation_date or date.today()


def planned_purchase(
    object: str,  # noqa: A002 - the model's field name
    cpv: str,
    amount: Decimal | int | str,
    at: date,
    *,
    id: str = "projet",  # noqa: A002
    duration_months: int | None = None,
    nature: Nature | None = None,
    kind: ContractKind = ContractKind.MARCHE,
    location: str | None = None,
    lot: str | None = None,
) -> Purchase:
    """A purchase that does not exist yet, whose consultation is launched at ``at``.

    ``amount`` is the estimated value HT (Decimal, int, or French text such as "1 200 000"; never a float).
    """
    if isinstance(amount, float):
        raise TypeError("le montant doit être un Decimal, un entier ou un texte (jamais un float)")
    code = _cpv.validate(cpv)  # InvalidCode with a French message, before the model wraps it
    return Purchase(
        id=id,
        object=object,
        cpv=code,
        amount_ht=to_decimal(amount),
        consultation_date=at,
        duration_months=duration_months,
        nature=nature,
        kind=kind,
        location=location,
        lot=lot,
    )


def _merge(proposals: list[Proposal]) -> dict[str, Proposal]:
    """One proposal per clause: the strongest status, every reason, the best score."""
    out: dict[str, Proposal] = {}
    rules: dict[str, list[str]] = {}  # the rules of the clauses proposed more than once, in order
    for p in proposals:
        q = out.get(p.clause_id)
        if q is None:
            out[p.clause_id] = p  # a lone proposal already names its rule
            continue
        rules.setdefault(p.clause_id, [q.rule]).append(p.rule)  # q: still the first proposal when the list starts
        first, second = (p, q) if (p.status == MANDATORY, p.score) > (q.status == MANDATORY, q.score) else (q, p)
        reasons = tuple(dict.fromkeys([*first.reasons, *second.reasons]))
        out[p.clause_id] = Proposal(
            first.clause_id,
            first.status,
            reasons,
            max(p.score, q.score),
            first.rule,
            {**second.values, **first.values},
            first.hours or second.hours,
            first.effect or second.effect,
        )
    for cid, names in rules.items():
        out[cid] = Proposal(out[cid].clause_id, out[cid].status, out[cid].reasons, out[cid].score, ",".join(dict.fromkeys(names)), out[cid].values, out[cid].hours, out[cid].effect)
    return out


# Rendered texts and "to confirm" flags, by (clause, date, values): the same clause is
# suggested to many purchases with the same values. Both read the parameters, so an entry
# holds for the loaded parameters only (``_law.memo_scope``); it also keeps its clause, so
# that the clause's id() cannot be reused while the entry lives. Emptied when full.
_MEMO: dict[tuple[Any, ...], tuple[Clause, object, Any]] = {}
_MEMO_MAX = 4096


def _memoised(key: tuple[Any, ...], clause: Clause, compute: Callable[[], Any]) -> Any:
    scope = _law.memo_scope()
    hit = _MEMO.get(key)
    if hit is not None and hit[0] is clause and hit[1] is scope:
        return hit[2]
    value = compute()
    if len(_MEMO) >= _MEMO_MAX:
        _MEMO.clear()
    _MEMO[key] = (clause, scope, value)
    return value


def _law_to_confirm(clause: Clause, at: date) -> bool:
    # Only legal values count: a practice default is "à ajuster", not an uncertain law.
    for name in clause.law_parameters():
        f = _law.fact(name, at)
        if f is not None and f.to_confirm and f.kind == "law":
            return True
    return False


def _to_confirm(clause: Clause, at: date, reasons: tuple[str, ...]) -> bool:
    if _memoised(("confirm", id(clause), at), clause, lambda: _law_to_confirm(clause, at)):
        return True
    return any("[à confirmer]" in r for r in reasons)


def _text(clause: Clause, values: dict[str, Any], at: date) -> str:
    try:
        key = ("text", id(clause), at, *sorted(values.items()))
        hash(key)
    except TypeError:  # a value that cannot be a key: render directly
        return clause.render(values, at=at)
    return _memoised(key, clause, lambda: clause.render(values, at=at))  # type: ignore[no-any-return]


def build(purchase: Purchase, clause: Clause, p: Proposal, at: date) -> Suggestion:
    """The suggestion of ``clause`` for ``purchase`` from its (merged) proposal."""
    effect = f"{p.effect} ; {clause.effect}" if p.effect else clause.effect
    cons = clause.consideration
    return Suggestion(
        clause_id=clause.id,
        title=clause.title,
        status=p.status,
        dimension=clause.dimension.label,
        mechanism=clause.mechanism.label,
        document=clause.document,
        legal_basis=clause.basis_text,
        rationale=p.reasons,
        text=_text(clause, p.values, at),
        expected_effect=effect,
        verification=clause.verification,
        source=clause.source,
        score=p.score,
        rules=tuple(p.rule.split(",")),
        purchase_id=purchase.id,
        consideration=cons.value if cons is not None else None,
        hours=p.hours,
        to_confirm=_to_confirm(clause, at, p.reasons),
    )


def suggest(
    purchase: Purchase,
    *,
    at: date | None = None,
    buyer: Buyer | None = None,
    limit: int | None = None,
    portfolio: Portfolio | None = None,
    catalogue: Catalogue | None = None,
    law: Law | None = None,
) -> list[Suggestion]:
    """Ranked clause suggestions for ``purchase`` (mandatory first).

    ``portfolio`` gives the buyer's history (L2113-15: same operator within
    the period) and, when ``buyer`` is not given, the buyer. Spending lines
    (``ContractKind.DEPENSE``) are not contracts: no suggestion. ``law``: the
    law to apply (default ``law_at`` the advice date: ``at``, else the
    consultation date, else today); a what-if law gives the advice under it.
    """
    if limit is not None and limit < 0:
        raise SpaserError("Le nombre de suggestions demandé doit être positif.", code="usage")
    if purchase.kind is ContractKind.DEPENSE:
        return []
    cat = catalogue or _catalogue()
    when = advice_date(purchase, at)
    with (law if law is not None else current_law(when)).active():
        ranked = ranked_proposals(purchase, when, cat, buyer=buyer, portfolio=portfolio)
        return [build(purchase, c, p, when) for c, p in (ranked[:limit] if limit is not None else ranked)]


def ranked_proposals(
    purchase: Purchase, at: date, catalogue: Catalogue, *, buyer: Buyer | None = None, portfolio: Portfolio | None = None,
    rules: Sequence[Rule] | None = None,
) -> list[tuple[Clause, Proposal]]:
    """What :func:`suggest` ranks, before the suggestions are built (texts rendered).

    ``at`` is the advice date already decided (:func:`advice_date`). The portfolio
    opportunities rank thousands of purchases and build only the suggestions they keep.
    ``rules``: the rules to run, :func:`rules_in_force` at ``at`` (worked out here when not given;
    the opportunities work them out once for all their purchases).
    """
    ctx = Context(purchase=purchase, at=at, catalogue=catalogue, buyer=buyer or (portfolio.buyer if portfolio else None), portfolio=portfolio)
    merged = _merge([p for r in (rules if rules is not None else rules_in_force(at)) for p in r.func(ctx)])  # Rule.__call__, unrolled
    out = [(catalogue.get(cid), p) for cid, p in merged.items()]
    out.sort(key=lambda cp: (cp[1].status != MANDATORY, -cp[1].score, cp[1].clause_id))
    return out


def rules_in_force(at: date, needed: frozenset[Gives] | None = None) -> tuple[Rule, ...]:
    """The registered rules in force at ``at``, in their order.

    ``needed``: the considerations a caller reads (default: all). The rules that can only recommend
    clauses giving other ones are left out: the clauses kept, and the order of the mandatory ones,
    are unchanged (a mandatory proposal outscores any recommendation it merges with). Read from
    ``RULES`` at each call: a rule registered or removed since counts.
    """
    rules = tuple(r for r in RULES if r.in_force(at))
    # A rule that does not declare what it gives may also make a clause mandatory below the score of
    # a recommendation of the same clause (_merge keeps the best): then no rule is left out.
    if needed is None or any(r.gives is None for r in rules):
        return rules
    return tuple(r for r in rules if r.mandatory or r.gives in needed)
