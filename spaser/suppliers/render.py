"""French plain text of a classification and its indicators, for the terminal.

Every count is written as French writes numbers (« 2 917 ») with the words that agree with it
(« 1 achat », « 2 achats »): :func:`spaser._french.counted`, no « (s) ».
"""

from __future__ import annotations

from decimal import Decimal

from spaser._french import counted
from spaser.money import format_eur, format_number, format_percent
from spaser.suppliers.classify import Classification
from spaser.suppliers.indicators import FAMILY_LABELS, SupplierIndicators
from spaser.suppliers.kinds import STRUCTURES
from spaser.suppliers.legal import GENERIC_BUYER_NOTE, NOMENCLATURE

__all__ = ["render_lists", "render_buyer", "render_indicators", "render_suppliers"]

_MAX_ISSUES_SHOWN = 5


def render_lists(c: Classification) -> list[str]:
    if not c.lists:
        return ["Aucune liste de fournisseurs donnée (option --liste) : seuls les types déclarés dans le fichier d'achats sont connus."]
    out = ["Listes lues :"]
    for lst in c.lists:
        out.append(f" - {lst.summary_fr()}")
        out += [f"     {n}" for n in lst.notes]
        for it in lst.report.issues[:_MAX_ISSUES_SHOWN]:
            out.append(f"     {it.location}" + (f", valeur « {it.value} »" if it.value else "") + f" : {it.message}")
        more = lst.report.rejected + lst.report.warned - min(len(lst.report.issues), _MAX_ISSUES_SHOWN)
        if more > 0:
            out.append(f"     … et {counted(more, 'autre problème', 'autres problèmes')} (voir --json)")
    return out


def render_buyer(c: Classification) -> list[str]:
    if c.generic_buyer:
        return [GENERIC_BUYER_NOTE]
    cat = c.buyer_category
    line = f"Type d'acheteur : {c.buyer_kind.label} — source : {c.buyer_kind_source}."
    out = [line]
    if cat is not None and c.buyer_kind_source.startswith("catégorie"):
        if cat.note:
            out.append(f"   Note : {cat.note}.")
        out.append(f"   Table : {NOMENCLATURE['title']}, {NOMENCLATURE['version']} ({NOMENCLATURE['source']}).")
    return out


def _purchases(n: int) -> str:
    return counted(n, "achat", "achats")


def _purchases_and_value(count: int, without_amount: int, value: Decimal) -> str:
    """« 3 achats (dont 1 sans montant), 1 500,00 € HT »; « 1 achat, montant inconnu » (unknown is not 0 €)."""
    if count and without_amount >= count:
        return f"{_purchases(count)}, montant inconnu"
    return _purchases(count) + (f" (dont {format_number(without_amount)} sans montant)" if without_amount else "") + f", {format_eur(value)} HT"


def _pct(m_count, m_value) -> str:  # type: ignore[no-untyped-def]
    return f"{format_percent(m_count)} en nombre, {format_percent(m_value)} en valeur"


def render_indicators(ind: SupplierIndicators, c: Classification) -> list[str]:
    out = []
    counts = c.counts()
    n = {k: format_number(v) for k, v in counts.items()}
    out.append(f"Titulaires : {n['suppliers']} ; classés par au moins une source : {n['classified']} ; "
               f"inconnus des listes : {n['unknown']} ; sans SIRET valide : {n['without_siret']}.")
    for y, yi in ind.years.items():
        label = "date inconnue" if y is None else str(y)
        out.append(f"  {label} — {_purchases_and_value(yi.total.count, yi.unknown_amounts, yi.total.value)}")
        for d, m in yi.families.items():
            if m.total.count and not m.classified.count:  # 0 % would read as « none »: the lists tell nothing
                who = ("le titulaire de l'unique achat n'est" if m.total.count == 1 else
                       f"aucun des titulaires des {_purchases(m.total.count)} n'est")
                out.append(f"    {FAMILY_LABELS[d]} : part inconnue ({who} classé « oui » ou « non » par les listes)")
                continue
            out.append(f"    {FAMILY_LABELS[d]} : {_purchases(m.yes.count)}, {format_eur(m.yes.value)} "
                       f"({_pct(m.share_count, m.share_value)})")
            out.append(f"      non : {_purchases(m.no.count)} ({format_eur(m.no.value)}) ; inconnu : {_purchases(m.unknown.count)} "
                       f"({format_eur(m.unknown.value)}) ; part parmi les achats classés : "
                       f"{_pct(m.share_count_among_classified, m.share_value_among_classified)}")
    if ind.reserved_flags:
        out.append(f"  Marchés réservés à vérifier ({format_number(len(ind.reserved_flags))}) :")
        for f in ind.reserved_flags[:20]:
            out.append(f"    - {f.purchase_id} « {f.object} » — {f.suppliers} : {f.reason}")
        if len(ind.reserved_flags) > 20:
            out.append(f"    … et {counted(len(ind.reserved_flags) - 20, 'autre', 'autres')} (voir --json)")
    for note in ind.notes:
        out.append(f"  Note : {note}")
    return out


def render_suppliers(c: Classification, *, limit: int | None = None) -> list[str]:
    rows = c.suppliers if limit is None else c.suppliers[:limit]
    out = []
    for r in rows:
        k = r.classed
        head = f"- {k.name or '(sans nom)'} — {k.siret or 'sans SIRET valide'} — {_purchases_and_value(r.purchases, r.unknown_amounts, r.value)}"
        out.append(head)
        if k.findings:
            for f in k.findings:
                out.append(f"    {STRUCTURES[f.structure].label} ({f.structure}) — {f.source_label}")
        else:
            out.append("    aucun type trouvé")
        flags = [f"ESUS : {k.esus}", f"inclusive : {k.inclusive}"]
        if k.legal_category:
            flags.append(f"catégorie juridique {k.legal_category}")
        out.append("    " + " ; ".join(flags) + ("" if k.classified else " — inconnu des listes (ce n'est pas « non »)"))
    if limit is not None and len(c.suppliers) > limit:
        out.append(f"… et {counted(len(c.suppliers) - limit, 'autre titulaire', 'autres titulaires')} (voir --json ou --tous)")
    return out
