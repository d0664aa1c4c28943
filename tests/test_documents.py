"""Documents: the draft, the deliberation, the yearly report, the indicators and the workbook.

Each generated file is reopened (python-docx, openpyxl, csv) and its content
checked: sections, figures formatted in French, legal references.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spaser._errors import InputError, OutputError
from spaser.documents import (
    DocumentConfig,
    parse_config,
    write_annual_report,
    write_deliberation,
    write_draft,
    write_indicators_csv,
    write_indicators_xlsx,
    write_workbook,
)
from spaser.documents.tables import CSV_COLUMNS
from spaser.io import load
from spaser.model import (
    Buyer,
    BuyerKind,
    EnvironmentalConsideration,
    Portfolio,
    Purchase,
    SocialConsideration,
    Supplier,
    SupplierKind,
)
from spaser.money import format_eur

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "examples"
AT = date(2026, 3, 2)


@pytest.fixture(scope="module")
def commune() -> Portfolio:
    return load(EXAMPLES / "petite_commune.csv").portfolio


@pytest.fixture(scope="module")
def tiny() -> Portfolio:
    """A hand-made portfolio whose figures are known."""
    s, e = SocialConsideration, EnvironmentalConsideration
    purchases = (
        Purchase(id="T1", object="Travaux de voirie", cpv="45233140", amount_ht=Decimal("1200000"),
                 notification_date=date(2025, 3, 1), duration_months=12, social=frozenset({s.CLAUSE}),
                 environmental=frozenset({e.AUCUNE}), insertion_hours_achieved=Decimal("900")),
        Purchase(id="T2", object="=HYPERLINK(\"http://x\")", cpv="90910000", amount_ht=Decimal("300000"),
                 notification_date=date(2025, 6, 1), duration_months=36, social=frozenset({s.AUCUNE}),
                 environmental=frozenset({e.CLAUSE}), suppliers=(Supplier(name="-Entreprise", kinds=frozenset({SupplierKind.SIAE})),)),
        Purchase(id="T3", object="Fournitures de bureau", cpv="30192000", amount_ht=Decimal("60000"),
                 notification_date=date(2024, 9, 1), duration_months=12),
    )
    return Portfolio(buyer=Buyer(name="Ville de Test", kind=BuyerKind.COMMUNE), purchases=purchases)


def _texts(path: Path) -> tuple[list[tuple[str, str]], str]:
    d = docx.Document(str(path))
    paragraphs = [(p.style.name, p.text) for p in d.paragraphs]
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return paragraphs, "\n".join([t for _, t in paragraphs] + cells)


def _xml(path: Path, part: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8")


# -- the draft ------------------------------------------------------------------------------


def test_draft_sections_figures_and_references(commune: Portfolio, tmp_path: Path) -> None:
    out = write_draft(commune, tmp_path / "spaser.docx", at=AT)
    paragraphs, text = _texts(out)
    headings = [t for s, t in paragraphs if s.startswith("Heading")]
    for expected in ("1. Introduction", "2. Contexte et cadre juridique", "3. Diagnostic des achats", "4. Objectifs",
                     "5. Plan d'action", "6. Gouvernance et co-construction", "7. Suivi et publication",
                     "Annexe A — Définitions des indicateurs", "Annexe D — Achats prioritaires et clauses suggérées"):
        assert expected in headings
    assert any(s == "Title" and t.startswith("SPASER 2026-2031") for s, t in paragraphs)
    assert "Projet — document de travail" in text
    assert "L2111-3" in text and "D2111-3" in text
    # The obligation status, and the total amount written the French way.
    assert "non obligé" in text or "obligé" in text
    assert format_eur(commune.total_ht, cents=False) in text
    # A real TOC field, refreshed when Word opens the file, and page numbers in the footer.
    body = _xml(out, "word/document.xml")
    assert 'TOC \\o "1-3"' in body
    assert 'w:updateFields w:val="true"' in _xml(out, "word/settings.xml")
    footers = [n for n in zipfile.ZipFile(out).namelist() if n.startswith("word/footer")]
    assert any(" PAGE " in _xml(out, f) for f in footers)
    assert any(n.startswith("word/media/") and n.endswith(".png") for n in zipfile.ZipFile(out).namelist())  # charts


def test_draft_refuses_to_overwrite(tiny: Portfolio, tmp_path: Path) -> None:
    target = tmp_path / "spaser.docx"
    target.write_bytes(b"keep me")
    with pytest.raises(OutputError) as e:
        write_draft(tiny, target, at=AT)
    assert e.value.exit_code == 4 and "--force" in str(e.value)
    assert target.read_bytes() == b"keep me"
    write_draft(tiny, target, at=AT, force=True)
    assert target.read_bytes()[:2] == b"PK"
    assert [p.name for p in tmp_path.iterdir()] == ["spaser.docx"]  # no temporary file left


def test_config_targets_axes_and_user_text(tiny: Portfolio, tmp_path: Path) -> None:
    cfg = parse_config(
        """
[acheteur]
nom = "Ville & <Co>"
[schema]
debut = 2027
fin = 2029
axes = ["environnement", "organisation"]
[objectifs.esus_valeur]
2027 = 2
2029 = 4
[textes]
gouvernance = '''
# Notre gouvernance
Pilotée par {{ v.assembly }} pour {{ v.end - v.start + 1 }} ans.
'''
"""
    )
    out = write_draft(tiny, tmp_path / "d.docx", config=cfg, at=AT)
    paragraphs, text = _texts(out)
    headings = [t for s, t in paragraphs if s.startswith("Heading")]
    assert "6. Notre gouvernance" in headings
    assert "Pilotée par conseil municipal pour 3 ans." in text
    assert any("Axe 1 : Environnement et économie circulaire" in h for h in headings)
    assert not any("Insertion sociale" in h for h in headings)
    assert "Ville & <Co>" in text and "SPASER 2027-2029" in text
    assert "2\xa0%" in text and "4\xa0%" in text  # the user's ESUS objective, read as percentages


@pytest.mark.parametrize(
    ("toml", "fragment"),
    [
        ("[schema]\nhorizon = 2030", "clé inconnue « schema.horizon »"),
        ("[budget]\nx = 1", "section inconnue « budget »"),
        ("[schema]\naxes = [\"social\"]", "axe inconnu « social »"),
        ("[objectifs.social_nombre]\n2026 = 150", "ne peut pas dépasser 100 %"),
        ("[textes]\nintro = \"x\"", "clé inconnue « textes.intro »"),
        ("[acheteur]\ntype = \"mairie\"", "« acheteur.type » = « mairie » inconnu"),
        ("[schema\n", "syntaxe TOML invalide"),
    ],
)
def test_config_errors_are_french_and_name_the_key(toml: str, fragment: str) -> None:
    with pytest.raises(InputError) as e:
        parse_config(toml)
    assert fragment in str(e.value)


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("{{ v.nothing }}", "variable inconnue"),
        ("{{ v.__class__.__mro__ }}", "textes.preambule"),
        ("{% for %}", "erreur de syntaxe"),
    ],
)
def test_user_texts_are_sandboxed_and_strict(tiny: Portfolio, tmp_path: Path, source: str, fragment: str) -> None:
    cfg = DocumentConfig(texts={"preambule": source}, file="spaser.toml")
    with pytest.raises(InputError) as e:
        write_draft(tiny, tmp_path / "d.docx", config=cfg, at=AT)
    assert fragment in str(e.value) and "spaser.toml" in str(e.value)
    assert not (tmp_path / "d.docx").exists()


_ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    ["\x00\x01\x0b<&>\ufffe\ud800", "**gras** # titre\n@table objectifs", "🧹" * 50, "x" * 20000]
)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_ANY_TEXT, obj=_ANY_TEXT)
def test_any_user_text_renders(name: str, obj: str) -> None:
    """Control characters, emoji, markup and very long strings never break the .docx."""
    from spaser.documents.draft import render_draft
    from spaser.documents.views import ActionView, AxisView, DraftView, ObligationView, SuggestionRow

    view = DraftView(
        buyer_name=name or "x", buyer_kind="Commune", assembly="conseil municipal", start=2026, end=2028, at=AT, year=2025,
        obligation=ObligationView(status="indéterminé", explanation=obj), requirements=[], national_targets=[],
        contract_rules=[], references=[], purchase_count=1, total_amount=Decimal(1), years=[2025], by_nature=[],
        by_division=[], indicators=[], history=[], objectives=[],
        axes=[AxisView("insertion", "Insertion", obj, [ActionView(obj, obj, [obj], [obj])])],
        suggestions=[SuggestionRow(obj, obj, "45000000", Decimal(1), obj, obj)],
    )
    data = render_draft(view)
    d = docx.Document(io.BytesIO(data))
    assert any(p.style.name == "Title" for p in d.paragraphs)


# -- the deliberation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "name", "expected", "decides"),
    [
        (BuyerKind.COMMUNE, "Ville de Test", "Le conseil municipal de la Ville de Test,", "DÉCIDE :"),
        (BuyerKind.EPCI, "Métropole de Test", "Le conseil métropolitain de la Métropole de Test,", "DÉCIDE :"),
        (BuyerKind.EPCI, "Communauté de communes du Test", "Le conseil communautaire", "DÉCIDE :"),
        (BuyerKind.DEPARTEMENT, "Département du Test", "Le conseil départemental", "DÉCIDE :"),
        (BuyerKind.REGION, "Région Test", "Le conseil régional", "DÉCIDE :"),
        (BuyerKind.HOPITAL, "CHU de Test", "Le conseil de surveillance", "DÉCIDE :"),
        (BuyerKind.ETABLISSEMENT_PUBLIC_LOCAL, "Office de Test", "Le conseil d'administration", "DÉCIDE :"),
        (BuyerKind.ETAT, "Ministère du Test", "Le ministre [à compléter],", "ARRÊTE :"),
    ],
)
def test_deliberation_assembly_follows_buyer_kind(tiny: Portfolio, tmp_path: Path, kind: BuyerKind, name: str, expected: str, decides: str) -> None:
    pf = tiny.model_copy(update={"buyer": Buyer(name=name, kind=kind)})
    out = write_deliberation(pf, tmp_path / "deliberation.docx", at=AT)
    _, text = _texts(out)
    assert expected in text
    assert decides in text
    assert "Vu le code de la commande publique, notamment ses articles L2111-3 et D2111-3 ;" in text
    assert "Article 1" in text and "2026-2031" in text
    assert ("Arrêté n°" in text) == (kind == BuyerKind.ETAT)
    assert ("code général des collectivités territoriales" in text) == (kind in {BuyerKind.COMMUNE, BuyerKind.EPCI, BuyerKind.DEPARTEMENT, BuyerKind.REGION})


# -- the yearly report and the indicators -------------------------------------------------------------


def test_annual_report_compares_with_objectives(tiny: Portfolio, tmp_path: Path) -> None:
    cfg = parse_config("[schema]\ndebut = 2025\nfin = 2030\n[objectifs.social_nombre]\n2025 = 0.4\n[objectifs.heures_insertion]\n2025 = 1000")
    out = write_annual_report(tiny, tmp_path / "bilan.docx", year=2025, config=cfg, at=AT)
    paragraphs, text = _texts(out)
    headings = [t for s, t in paragraphs if s.startswith("Heading")]
    assert headings[:2] == ["1. Synthèse", "2. Indicateurs et objectifs"]
    assert "Bilan annuel 2025" in text and "L2111-3" in text
    # 1 contract of 2 with a social consideration: 50 % >= 40 % objective; 900 h < 1 000 h.
    assert "50,0\xa0%" in text and "40,0\xa0%" in text and "atteint" in text and "non atteint" in text
    assert "900 h" in text and "1 000 h" in text.replace("\u202f", " ")


def test_indicators_csv_is_open_data_friendly(tiny: Portfolio, tmp_path: Path) -> None:
    out = write_indicators_csv(tiny, tmp_path / "indicateurs.csv", year=2025, at=AT)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert list(rows[0]) == list(CSV_COLUMNS)
    by = {(r["annee"], r["indicateur"]): r for r in rows}
    social = by[("2025", "social_nombre")]
    assert (social["numerateur"], social["denominateur"], social["taux"]) == ("1", "2", "0.5000")
    value = by[("2025", "social_valeur")]
    assert value["numerateur"] == "1200000" and value["taux"] == "0.8000"
    assert by[("2025", "heures_insertion")]["numerateur"] == "900"
    assert {r["annee"] for r in rows} == {"2024", "2025"}  # the two years of the biennial table
    xlsx = write_indicators_xlsx(tiny, tmp_path / "indicateurs.xlsx", year=2025, at=AT)
    import openpyxl

    ws = openpyxl.load_workbook(xlsx)["Indicateurs"]
    assert ws.max_row == len(rows) + 1


# -- the workbook -------------------------------------------------------------------------------------


def test_workbook_sheets_formats_and_no_formula(tiny: Portfolio, tmp_path: Path) -> None:
    import openpyxl

    report = load(EXAMPLES / "petite_commune.csv").report
    out = write_workbook(tiny, tmp_path / "analyse.xlsx", report=report, at=AT)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Portefeuille", "Rapport d'import", "Indicateurs", "Objectifs et écarts", "Suggestions"]
    ws = wb["Portefeuille"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    header = [c.value for c in ws[1]]
    amount_col = header.index("Montant HT") + 1
    date_col = header.index("Date de notification") + 1
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    cell = ws.cell(rows["T1"], amount_col)
    assert cell.value == 1200000 and cell.number_format == "#,##0.00 €"
    assert ws.cell(rows["T1"], date_col).is_date
    # A text that looks like a formula is stored as inert text.
    obj = ws.cell(rows["T2"], header.index("Objet") + 1)
    assert obj.data_type == "s" and obj.value.startswith("'=")
    supplier = ws.cell(rows["T2"], header.index("Titulaire") + 1)
    assert supplier.value == "'-Entreprise"
    assert wb["Rapport d'import"].max_row >= 2
    gaps = wb["Objectifs et écarts"]
    assert gaps.freeze_panes == "A2" and gaps.max_row > 1


# -- the command line ---------------------------------------------------------------------------------


def test_cli_commands_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from spaser.cli import main

    src = str(EXAMPLES / "petite_commune.csv")
    out = tmp_path / "deliberation.docx"
    assert main(["deliberation", src, "--out", str(out), "--date", "2026-03-02"]) == 0
    assert out.exists()
    assert main(["deliberation", src, "--out", str(out)]) == 4
    assert "existe déjà" in capsys.readouterr().err
    assert main(["export", src, "--out", str(tmp_path / "a.xlsx"), "--date", "2026-03-02"]) == 0
    assert main(["report", src, "--year", "2025", "--out", str(tmp_path / "b.docx"), "--csv", str(tmp_path / "i.csv"),
                 "--xlsx", str(tmp_path / "i.xlsx"), "--date", "2026-03-02"]) == 0
    assert {p.name for p in tmp_path.iterdir()} >= {"b.docx", "i.csv", "i.xlsx", "a.xlsx"}
    bad = tmp_path / "bad.toml"
    bad.write_text("[schema]\nhorizon = 2030\n", encoding="utf-8")
    assert main(["draft", src, "--out", str(tmp_path / "d.docx"), "--config", str(bad)]) == 3
    err = capsys.readouterr().err
    assert "schema.horizon" in err and "Traceback" not in err


def test_example_config_is_valid() -> None:
    from spaser.documents import load_config

    cfg = load_config(EXAMPLES / "spaser.toml")
    assert cfg.start == 2026 and cfg.end == 2031 and cfg.targets["social_nombre"][2026] == Decimal("0.3")
    assert "gouvernance" in cfg.texts


# -- end to end on the bundled métropole, and LibreOffice ------------------------------------------------


def test_metropole_draft_end_to_end(tmp_path: Path) -> None:
    src = EXAMPLES / "metropole.xlsx"
    if not src.exists():
        pytest.skip("examples/metropole.xlsx absent de cette copie du dépôt")
    result = load(src)
    out = write_draft(result.portfolio, tmp_path / "spaser.docx", config=EXAMPLES / "spaser.toml", report=result.report)
    paragraphs, text = _texts(out)
    assert "Métropole de Val-de-Loire-Océan" in text
    assert "Obligé d'adopter un SPASER" in text
    assert "conseil métropolitain" in text
    assert sum(1 for s, _ in paragraphs if s == "Heading 3") >= 10  # the actions
    assert text.count("[à compléter]") >= 10


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _convert_and_count_pages(path: Path, tmp_path: Path, *, low: int, high: int) -> None:
    exe = _soffice()
    if exe is None:
        return
    subprocess.run([exe, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=180)
    pdf = (tmp_path / path.name).with_suffix(".pdf").read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert low <= pages <= high, pages


def test_draft_converts_with_libreoffice(commune: Portfolio, tmp_path: Path) -> None:
    if _soffice() is None:
        pytest.skip("LibreOffice (soffice) n'est pas installé : conversion PDF non vérifiée")
    out = write_draft(commune, tmp_path / "spaser.docx", at=AT)
    _convert_and_count_pages(out, tmp_path, low=8, high=80)


def test_writer_styles_match_python_docx() -> None:
    # DocxWriter resolves each style name once; the paragraphs get the same styles as
    # python-docx's own add_paragraph / add_heading / table.style would give.
    from spaser.documents._docx import DocxWriter, TableSpec

    w = DocxWriter()
    w.heading("Titre", 1)
    w.heading("Sous-titre", 2)
    w.bullet("point **gras**")
    w.note("remarque")
    w.paragraph("texte")
    w.table(TableSpec(["A", "B"], [["1", "2"]], caption="essai"))
    ref = docx.Document()
    ref.add_heading("Titre", 1)
    ref.add_heading("Sous-titre", 2)
    ref.add_paragraph("point", style="List Bullet")
    ref.add_paragraph("remarque", style="Intense Quote")
    ref.add_paragraph("texte")
    buf = io.BytesIO()
    w.save(buf)
    d = docx.Document(io.BytesIO(buf.getvalue()))
    ours = [(p.style.name, p.text) for p in d.paragraphs]
    assert ours[:5] == [(p.style.name, p.text if p.text != "point" else "point gras") for p in ref.paragraphs]
    assert ours[5] == ("Caption", "Tableau 1 : essai")
    assert d.paragraphs[2].runs[1].bold and not d.paragraphs[2].runs[0].bold
    assert d.paragraphs[4]._p.pPr is None  # the default style is not written
    assert d.tables[0].style.name == "Table Grid"


def _members(docx_bytes: bytes) -> dict[str, bytes]:
    """A .docx file's parts (the zip's dates of writing set apart)."""
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        return {n: z.read(n) for n in z.namelist()}
