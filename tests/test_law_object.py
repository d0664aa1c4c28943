"""The law as a value (issue 17): ``spaser.law_at(date)``, read as attributes, passed to check,
suggest and the documents; a what-if is a copy with one value changed. No global is patched."""

from __future__ import annotations

import ast
import io
import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import spaser
from spaser import ParameterError, law_at
from spaser.clauses import planned_purchase, suggest
from spaser.documents import draft_bytes
from spaser.law import check, params
from spaser.model import Buyer, BuyerKind, Portfolio, Purchase

AT = date(2025, 6, 1)


def _buyer_spending(amount: str) -> Portfolio:
    return Portfolio(buyer=Buyer(name="Ville", kind=BuyerKind.COMMUNE, declared_spend={2024: Decimal(amount)}), purchases=())


def test_law_at_is_exported_and_read_as_attributes() -> None:
    assert "law_at" in spaser.__all__ and "Law" in spaser.__all__
    law = law_at(AT)
    assert law.at == AT
    assert law.spaser.seuil == params.get("spaser.seuil").at(AT).value
    assert law.seuils_europeens.travaux_concessions == Decimal("5538000")
    assert law.spaser.seuil == law.value("spaser.seuil") == law.get("spaser.seuil")
    assert law_at(date(2010, 1, 1)).spaser.seuil is None  # not in force: None, never zero
    assert law.on(date(2022, 12, 31)).spaser.seuil == Decimal("100000000")
    with pytest.raises(AttributeError, match="Aucun paramètre juridique"):
        law.spaser.nope  # noqa: B018
    assert "seuil" in dir(law.spaser)


def test_law_is_immutable_and_a_what_if_is_a_copy() -> None:
    law = law_at(AT)
    with pytest.raises(AttributeError, match="immuable"):
        law.at = date(2000, 1, 1)  # type: ignore[misc]
    with pytest.raises(TypeError):
        law.parameters["spaser.seuil"] = None  # type: ignore[index]
    what_if = law.replace("spaser.seuil", Decimal("40000000"))
    assert what_if.spaser.seuil == Decimal("40000000") and law.spaser.seuil == Decimal("50000000")
    assert params.get("spaser.seuil").at(AT).value == Decimal("50000000")  # the shipped law is untouched
    assert [(c.name, c.value, c.before) for c in what_if.changes] == [("spaser.seuil", Decimal("40000000"), Decimal("50000000"))]
    assert law.changes == () and what_if != law
    # the replaced value holds over the period of the value it replaces, not before it
    assert what_if.on(date(2023, 1, 1)).spaser.seuil == Decimal("40000000")
    assert what_if.on(date(2022, 12, 31)).spaser.seuil == Decimal("100000000")


def test_a_what_if_value_is_checked_like_the_yaml() -> None:
    law = law_at(AT)
    for bad in (0.3, -1, "abc", None, True):
        with pytest.raises(ParameterError, match="Simulation impossible"):
            law.replace("spaser.seuil", bad)
    with pytest.raises(ParameterError, match="entre 0 et 1"):
        law.replace("pnad.cible_sociale", Decimal("30"))
    with pytest.raises(ParameterError, match="inconnu"):
        law.replace("spaser.nope", Decimal(1))
    assert law.replace("spaser.seuil", "40_000_000").spaser.seuil == Decimal("40000000")


@pytest.mark.parametrize("bad", [0, -5, 10**6, "0", "9" * 5000])
def test_a_what_if_count_of_months_or_years_is_a_whole_number_from_1_to_9999(bad: object) -> None:
    # Before: 0 or -5 months were supposed for a contract of unknown duration (« Durée inconnue : -5 mois supposés »).
    with pytest.raises(ParameterError, match="Simulation impossible"):
        law_at(AT).replace("estimation.duree_defaut_mois", bad)
    assert law_at(AT).replace("estimation.duree_defaut_mois", "24").estimation.duree_defaut_mois == 24


def test_check_under_a_what_if_threshold_and_the_shipped_law_after() -> None:
    p = _buyer_spending("45000000")
    assert check(p, year=2024, at=AT).obligation.status == "non obligé"
    what_if = law_at(AT).replace("spaser.seuil", Decimal("40000000"))
    d = check(p, year=2024, law=what_if)
    assert d.at == AT and d.obligation.status == "obligé" and d.obligation.threshold == Decimal("40000000")
    assert any(w.startswith("SIMULATION") and "spaser.seuil" in w for w in d.warnings)
    used = next(u for u in d.parameters if u.name == "spaser.seuil")
    assert used.value == Decimal("40000000") and used.references[0].title.startswith("Simulation")
    again = check(p, year=2024, at=AT)  # nothing leaked
    assert again.obligation.status == "non obligé" and not any("SIMULATION" in w for w in again.warnings)


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=200), st.integers(min_value=1, max_value=200))
def test_a_what_if_threshold_decides_like_the_law(spend_m: int, threshold_m: int) -> None:
    p = _buyer_spending(str(spend_m * 1_000_000))
    d = check(p, year=2024, law=law_at(AT).replace("spaser.seuil", Decimal(threshold_m * 1_000_000)))
    assert d.obligation.status == ("obligé" if spend_m > threshold_m else "non obligé")


def test_suggest_under_a_what_if_switch_date() -> None:
    launch = date(2026, 3, 2)
    p = planned_purchase("Nettoyage des écoles", "90919200", Decimal("300000"), launch)
    shipped = {s.clause_id: s.status for s in suggest(p)}
    assert shipped["condition-environnementale"] == "recommandé"
    early = law_at(launch).replace("climat.obligations_par_marche", True)  # « and if the rules applied already? »
    assert {s.clause_id: s.status for s in suggest(p, law=early)}["condition-environnementale"] == "obligatoire"
    assert {s.clause_id: s.status for s in suggest(p)} == shipped  # the memo of the shipped law is not mixed


def test_a_what_if_is_for_its_own_thread_only() -> None:
    p = _buyer_spending("45000000")
    what_if = law_at(AT).replace("spaser.seuil", Decimal("40000000"))
    seen: list[str] = []
    with what_if.active():
        assert check(p, year=2024, at=AT).obligation.status == "obligé"  # nested calls keep the caller's law
        t = threading.Thread(target=lambda: seen.append(check(p, year=2024, at=AT).obligation.status))
        t.start()
        t.join()
    assert seen == ["non obligé"]


def test_the_draft_under_a_what_if_says_it_is_a_simulation() -> None:
    p = Portfolio(
        buyer=Buyer(name="Ville", kind=BuyerKind.COMMUNE, declared_spend={2024: Decimal("45000000")}),
        purchases=(Purchase(id="M1", object="Nettoyage", cpv="90910000", amount_ht=Decimal("100000"), notification_date=date(2024, 3, 1)),),
    )
    what_if = law_at(AT).replace("spaser.seuil", Decimal("40000000"))
    text = "\n".join(par.text for par in docx.Document(io.BytesIO(draft_bytes(p, year=2024, law=what_if))).paragraphs)
    assert "SIMULATION" in text
    shipped = "\n".join(par.text for par in docx.Document(io.BytesIO(draft_bytes(p, year=2024, at=AT))).paragraphs)
    assert "SIMULATION" not in shipped


_LAW_MODULES = ("spaser.law", "spaser.clauses", "spaser.scan", "spaser.documents")


def _law_patches(source: str) -> list[str]:
    """What in a test's source changes the law by patching a module global (rather than passing a Law).

    Flagged: ``setattr``/``monkeypatch.setattr``/``mock.patch``/``patch.object`` on a module (or a
    dotted target) of the engine, an assignment to such a module's attribute, a write to the
    shipped parameters (``params.ROOT``/``_CACHE``), and setting the active law's context variable.
    """
    tree = ast.parse(source)
    def of_engine(dotted: str) -> bool:
        return any(dotted == m or dotted.startswith(m + ".") for m in _LAW_MODULES)

    modules: set[str] = set()  # local names bound to an engine module (or to something in one)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.update(a.asname or a.name for a in node.names if of_engine(f"{node.module}.{a.name}"))
        elif isinstance(node, ast.Import):
            modules.update(a.asname or a.name.split(".")[0] for a in node.names if of_engine(a.name))
    found = []

    def engine(n: ast.AST) -> bool:
        if isinstance(n, ast.Attribute) and of_engine(ast.unparse(n)):
            return True  # spaser.law.params.X, spelt out
        while isinstance(n, ast.Attribute):
            n = n.value
        if isinstance(n, ast.Name):
            return n.id in modules
        return isinstance(n, ast.Constant) and isinstance(n.value, str) and of_engine(n.value.rsplit(".", 1)[0])

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            if name in ("setattr", "delattr", "patch", "object", "setitem") and node.args and engine(node.args[0]):
                found.append(f"ligne {node.lineno} : {name}(...)")
            if name == "set" and isinstance(f, ast.Attribute) and isinstance(f.value, (ast.Name, ast.Attribute)) and "_ACTIVE" in ast.unparse(f.value):
                found.append(f"ligne {node.lineno} : _ACTIVE.set(...)")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, (ast.Attribute, ast.Subscript)) and engine(t.value if isinstance(t, ast.Attribute) else t):
                    found.append(f"ligne {node.lineno} : {ast.unparse(t)} = ...")
    return found


def test_the_patch_finder_finds_patches() -> None:
    offending = {
        "from spaser.law import params\nparams._CACHE = None\n": 1,
        "from spaser.law import params\ndef t(monkeypatch):\n    monkeypatch.setattr(params, 'ROOT', 1)\n": 1,
        "from unittest import mock\nwith mock.patch('spaser.law.params.value', lambda *a: 1):\n    pass\n": 1,
        "from spaser.clauses import _law\n_law.parameters = lambda: None\n": 1,
        "import spaser.law.law as L\nL._ACTIVE.set(None)\n": 1,
        "import spaser.law.params\nspaser.law.params.ROOT = '/tmp'\n": 1,
        "from spaser.law import law_at\nlaw = law_at().replace('spaser.seuil', 1)\n": 0,
    }
    for source, n in offending.items():
        assert len(_law_patches(source)) == n, source


def test_no_test_patches_a_module_global_to_change_the_law() -> None:
    offenders = {f.name: found for f in sorted(Path(__file__).parent.rglob("*.py")) if f.name != Path(__file__).name and (found := _law_patches(f.read_text(encoding="utf-8")))}
    assert not offenders


def test_the_command_line_what_if(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from spaser.cli import main

    f = tmp_path / "achats.csv"
    f.write_text("Identifiant;Objet;Montant HT;Date de notification;Durée (mois)\nM1;Nettoyage;45000000;01/03/2024;12\n", encoding="utf-8")
    base = ["check", str(f), "--buyer-kind", "commune", "--date", "2025-06-01", "--year", "2024"]
    assert main(base) == 0
    out = capsys.readouterr().out
    assert "SIMULATION" not in out
    assert main([*base, "--hypothese", "spaser.seuil=40000000"]) == 0
    out = capsys.readouterr().out
    assert "*** SIMULATION : « spaser.seuil »" in out and out.index("SIMULATION") < out.index("1. OBLIGATION")
    assert main([*base, "--hypothese", "spaser.seuil=abc"]) == 5
    assert "Simulation impossible pour « spaser.seuil »" in capsys.readouterr().err
    assert main([*base, "--hypothese", "seuil"]) != 0
    assert "NOM=VALEUR" in capsys.readouterr().err
    out_doc = tmp_path / "d.docx"
    assert main(["deliberation", str(f), "--buyer-kind", "commune", "--date", "2025-06-01", "--year", "2024", "-o", str(out_doc), "--hypothese", "spaser.seuil=40000000"]) == 0
    assert out_doc.exists()


def test_text_values_for_a_what_if() -> None:
    law = law_at(date(2026, 3, 2))
    assert law.replace("climat.obligations_par_marche", "oui").climat.obligations_par_marche is True
    assert law.replace("pnad.echeance", "2030").pnad.echeance == 2030
    with pytest.raises(ParameterError, match="oui ou non"):
        law.replace("climat.obligations_par_marche", "peut-être")


def test_scan_under_a_what_if_threshold(tmp_path: Path) -> None:
    import json

    from spaser.scan import scan_decp

    amount = 45_000_000  # notified 1 January 2024 for 12 months: 45 M€ of 2024 spend, below 50 M€
    record = {"id": "M1", "acheteur": {"id": "21690123100011", "nom": "Ville"}, "nature": "Marché", "codeCPV": "90910000",
              "montant": amount, "dateNotification": "2024-01-01", "dureeMois": 12}
    path = tmp_path / "decp.json"
    path.write_text(json.dumps({"marches": [record]}), encoding="utf-8")
    shipped = scan_decp(path, year=2024, today=AT)
    assert shipped.threshold == Decimal("50000000") and shipped.buyers[0].status == "en dessous"
    assert not any("SIMULATION" in n for n in shipped.law_notes)
    what_if = law_at(date(2024, 12, 31)).replace("spaser.seuil", Decimal("30000000"))
    r = scan_decp(path, year=2024, today=AT, law=what_if)
    assert r.threshold == Decimal("30000000") and r.buyers[0].status == "au-dessus"
    assert r.law_notes[0].startswith("SIMULATION : « spaser.seuil »") and "ce classement" in r.law_notes[0]
    assert scan_decp(path, year=2024, today=AT).threshold == Decimal("50000000")  # nothing leaked


def test_check_compliance_under_a_what_if_switch_date() -> None:
    from spaser.law import check_compliance

    launched = date(2026, 3, 2)  # before the shipped switch (21/08/2026)
    p = Portfolio(
        buyer=Buyer(name="Ville", kind=BuyerKind.COMMUNE),
        purchases=(Purchase(id="M1", object="Nettoyage", cpv="90910000", amount_ht=Decimal("300000"), consultation_date=launched, notification_date=date(2026, 6, 1)),),
    )
    shipped = check_compliance(p)
    assert shipped.checked == 0 and shipped.not_yet == 1
    early = law_at(launched).replace("climat.obligations_par_marche", True)  # « and if the rules applied already? »
    c = check_compliance(p, law=early)
    assert c.checked == 1 and c.not_yet == 0 and c.findings
    assert check_compliance(p).checked == 0  # the shipped law again
