"""French plain text of a classification and its indicators, for the terminal."""

from __future__ import annotations

from spaser.money import format_eur, format_percent
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
            out.append(f"     {it.location} : {it.message}" + (f" (valeur « {it.value} »)" if it.value else ""))
        more = lst.report.rejected + lst.report.warned - min(len(lst.report.issues), _MAX_ISSUES_SHOWN)
        if more > 0:
            out.append(f"     … et {more} autre(s) problème(s) (voir --json)")
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


def _pct(m_count, m_value) -> str:  # type: ignore[no-untyped-def]
    return f"{format_percent(m_count)} en nombre, {format_percent(m_value)} en valeur"


def render_indicators(ind: SupplierIndicators, c: Classification) -> list[str]:
    out = []
    counts = c.counts()
    out.append(f"Titulaires : {counts['suppliers']} ; classés par au moins une source : {counts['classified']} ; "
               f"inconnus des listes : {counts['unknown']} ; sans SIRET valide : {counts['without_siret']}.")
    for y, yi in ind.years.items():
        label = "date inconnue" if y is None else str(y)
        out.append(f"  {label} — {yi.total.count} achat(s), {format_eur(yi.total.value)} HT")
        for d, m in yi.families.items():
            out.append(f"    {FAMILY_LABELS[d]} : {m.yes.count} achat(s), {format_eur(m.yes.value)} "
                       f"({_pct(m.share_count, m.share_value)})")
            out.append(f"      non : {m.no.count} ({format_eur(m.no.value)}) ; inconnu : {m.unknown.count} ({format_eur(m.unknown.value)})"
                       f" ; part parmi les achats classés : {_pct(m.share_count_among_classified, m.share_value_among_classified)}")
    if ind.reserved_flags:
        out.append(f"  Marchés réservés à vérifier ({len(ind.reserved_flags)}) :")
        for f in ind.reserved_flags[:20]:
            out.append(f"    - {f.purchase_id} « {f.object} » — {f.suppliers} : {f.reason}")
        if len(ind.reserved_flags) > 20:
            out.append(f"    … et {len(ind.reserved_flags) - 20} autre(s) (voir --json)")
    for n in ind.notes:
        out.append(f"  Note : {n}")
    return out


def render_suppliers(c: Classification, *, limit: int | None = None) -> list[str]:
    rows = c.suppliers if limit is None else c.suppliers[:limit]
    out = []
    for r in rows:
        k = r.classed
        head = f"- {k.name or '(sans nom)'} — {k.siret or 'sans SIRET valide'} — {r.purchases} achat(s), {format_eur(r.value)} HT"
        if r.unknown_amounts:
            head += f" ({r.unknown_amounts} sans montant)"
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
        out.append(f"… et {len(c.suppliers) - limit} autre(s) titulaire(s) (voir --json ou --tous)")
    return out
