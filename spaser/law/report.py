"""A plain French text of a Diagnosis, for the terminal: obligation first, then targets, then compliance."""

from __future__ import annotations

from decimal import Decimal

from spaser.law.diagnosis import Diagnosis, JointDiagnosis
from spaser.law.format import format_date
from spaser.law.indicators import Measure
from spaser.model import BuyerKind
from spaser.money import format_eur, format_number, format_percent

__all__ = ["render_text", "render_joint_text"]


def _pct(v: Decimal | None) -> str:
    return format_percent(v)


def _points(v: Decimal | None) -> str:
    return "n.d." if v is None else format_number(v * 100, 1) + " point(s)"


def _measure(m: Measure) -> str:
    return f"{m.count}/{m.denominator_count} ({_pct(m.share_count)} en nombre ; {_pct(m.share_value)} en valeur)"


def render_text(d: Diagnosis) -> str:
    o = d.obligation
    lines: list[str] = []
    add = lines.append
    kind = BuyerKind(d.buyer_kind).label
    add(f"Diagnostic — {d.buyer_name} ({kind}{', SIRET ' + d.buyer_siret if d.buyer_siret else ''})")
    add(f"Droit lu au {format_date(d.at)} ; année examinée : {d.year}")
    for w in d.warnings:
        if w.startswith("SIMULATION"):  # a what-if law: said before anything else
            add(f"   *** {w}")
    add("")
    add(f"1. OBLIGATION D'ADOPTER UN SPASER : {o.status.upper()}" + (" (à confirmer)" if o.to_confirm else ""))
    add(f"   {o.explanation}")
    if o.threshold is not None and o.spend.total is not None:
        label = "Dépense estimée" if o.spend.is_estimate else "Dépense comptée"
        add(f"   {label} : {format_eur(o.spend.total)} ; seuil : {format_eur(o.threshold, cents=False)} HT ; écart au seuil : {format_eur(o.margin or 0)}")
    for e in o.spend.exclusions:
        amount = format_eur(e.amount) if e.amount is not None else "montant inconnu"
        add(f"   Exclu : {e.purchase_id} — {e.reason} ({amount} ; {e.article})")
    for a in o.spend.assumptions[:10]:
        add(f"   Hypothèse : {a}")
    if len(o.spend.assumptions) > 10:
        add(f"   … et {format_number(len(o.spend.assumptions) - 10)} autre(s) hypothèse(s) (voir --json)")
    for u in o.spend.uncounted[:10]:
        add(f"   Non compté : {u}")
    for s in o.to_settle:
        add(f"   Pour conclure, il faudrait : {s}")
    if o.status == "obligé" or o.scope.concerned:
        add(f"   Contenu obligatoire d'un SPASER au {format_date(d.at)} (L2111-3) :")
        for c in d.required_contents:
            flag = " [à confirmer]" if c.to_confirm else ""
            add(f"    - {c.label} (depuis le {format_date(c.since)}){flag}")
    add("")
    add(f"2. OBJECTIFS NATIONAUX ({d.year})")
    if not d.targets:
        add("   Aucun objectif mesurable avec ces données.")
    for t in d.targets:
        flag = " [à confirmer]" if t.to_confirm else ""
        ref = "; ".join(str(r) for r in t.references) or ("taux fourni par l'utilisateur" if t.source == "utilisateur" else "—")
        if t.target is None:
            add(f"   - {t.label} : {_pct(t.actual)} — taux non renseigné")
        else:
            add(f"   - {t.label} : {_pct(t.actual)} pour une cible de {_pct(t.target)} ({t.basis}) — {t.status.upper()}, écart {_points(t.gap)}{flag}")
        if t.missing and t.basis == "nombre":
            add(f"     Il faudrait {format_number(t.missing)} contrat(s) de plus (sur {format_number(t.denominator)} comptés).")
        elif t.missing:
            add(f"     Il manque {format_eur(t.missing)} d'achats conformes (sur {format_eur(t.denominator)}).")
        add(f"     Référence : {ref}")
    if d.measured.floor_note:
        add(f"   {d.measured.floor_note}")
    add("")
    cc = d.compliance
    add("3. CONFORMITÉ PAR CONTRAT (loi Climat et résilience)")
    if cc.checked == 0:
        switch = f" à partir du {format_date(cc.switch)}" if cc.switch else ""
        add(f"   Aucun contrat concerné (obligations applicables aux consultations lancées{switch} ; {format_number(cc.not_yet)} contrat(s) antérieur(s)).")
    else:
        add(f"   {format_number(cc.checked)} contrat(s) concerné(s) : {format_number(cc.compliant)} sans remarque, {format_number(len(cc.missing))} manquement(s), "
            f"{format_number(len(cc.to_check))} point(s) à vérifier.")
        if cc.approximate:
            add(f"   Dont {format_number(cc.approximate)} contrat(s) sur une date approximative (date de lancement de la consultation inconnue, date de notification utilisée) : aucun manquement retenu pour eux, points « à vérifier ».")
    for f in cc.findings:
        add(f"   - [{f.status}] {f.purchase_id}{' « ' + f.object + ' »' if f.object else ''} : {f.message} ({', '.join(f.articles)})")
    for sk in cc.skipped:
        add(f"   - non vérifié : {sk.purchase_id} — {sk.reason}")
    for n in cc.notes:
        add(f"   Note : {n}")
    add("")
    add("4. INDICATEURS PAR ANNÉE DE NOTIFICATION (tous contrats)")
    if not d.indicators:
        add("   Aucun contrat daté.")
    for y, i in d.indicators.items():
        add(f"   {y} : {format_number(i.contracts)} contrat(s), {format_eur(i.value, cents=False)} HT")
        add(f"     considération sociale : {_measure(i.social.yes)} ; inconnue : {i.social.unknown.count}")
        add(f"     considération environnementale : {_measure(i.environmental.yes)} ; inconnue : {i.environmental.unknown.count}")
        add(f"     marchés réservés : {_measure(i.reserved)}")
        structures = [f"{k} {format_eur(m.value, cents=False)}" for k, m in i.suppliers.items() if m.count]
        if structures:
            add(f"     achats auprès de structures : {', '.join(structures)}")
        if i.contracts_with_insertion_hours:
            add(f"     heures d'insertion : {format_number(i.insertion_hours_planned)} prévues ; {i.achieved_hours_text()}")
    if d.warnings:
        add("")
        add("AVERTISSEMENTS")
        for w in d.warnings:
            add(f"   - {w}")
    return "\n".join(lines)


def render_joint_text(j: JointDiagnosis) -> str:
    """A joint scheme: one line per buyer (obligation, counted spend, PNAD shares), then the notes."""
    lines = [f"Schéma commun — {format_number(len(j.members))} acheteur(s) ; droit lu au {format_date(j.at)}"]
    lines.extend(f"  {w}" for w in j.warnings)
    lines.append("")
    for d in j.members:
        o = d.obligation
        spend = "n.d." if o.spend.total is None else format_eur(o.spend.total, cents=False) + (" (estimation)" if o.spend.is_estimate else "")
        pnad = {t.name: t for t in d.targets if t.name.startswith("pnad.")}
        shares = " ; ".join(f"PNAD {t.name.split('.', 1)[1]} : {_pct(t.actual)} (cible {_pct(t.target)})" for t in pnad.values())
        lines.append(f"- {d.buyer_name} ({d.buyer_siret or 'SIRET inconnu'}) — {d.year} : {o.status.upper()} ; dépense : {spend}")
        if shares:
            lines.append(f"    {shares}")
    lines.append("")
    lines.append("Détail par acheteur : spaser check FICHIER --buyer SIRET")
    return "\n".join(lines)
