"""The documents as a council reads them: the buyer's own look (a reference .docx), tables that
fit the page, pages rendered by LibreOffice, and the action plan's examples."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.shared import RGBColor

from spaser._errors import InputError
from spaser.documents import annual_report_bytes, deliberation_bytes, draft_bytes, load_config
from spaser.documents._docx import _BOLD_CHAR_CM, _CHAR_CM, _PADDING_CM, TABLE_PT, _tokens
from spaser.io import load

ROOT = Path(__file__).parents[1]
AT = date(2026, 11, 22)
RED = RGBColor(0xC0, 0x10, 0x10)


@pytest.fixture(scope="module")
def metropole():  # type: ignore[no-untyped-def]
    return load(ROOT / "examples" / "metropole.xlsx").portfolio


@pytest.fixture(scope="module")
def documents(metropole) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    return {
        "projet": draft_bytes(metropole, at=AT),
        "deliberation": deliberation_bytes(metropole, at=AT),
        "bilan": annual_report_bytes(metropole, year=2025, at=AT),
    }


def _reference(tmp_path: Path) -> Path:
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (60, 30), (200, 20, 20)).save(logo)
    ref = docx.Document()
    ref.styles["Heading 1"].font.color.rgb = RED
    header = ref.sections[0].header.paragraphs[0]
    header.add_run().add_picture(str(logo))
    header.add_run("Ville de Test — charte graphique")
    ref.sections[0].footer.paragraphs[0].text = "Hôtel de ville, place de la Mairie"
    ref.add_paragraph("texte du modèle, à ne pas reprendre")
    path = tmp_path / "charte.docx"
    ref.save(path)
    return path


def test_reference_docx_gives_its_look_to_every_document(tmp_path: Path, metropole) -> None:  # type: ignore[no-untyped-def]
    _reference(tmp_path)
    (tmp_path / "spaser.toml").write_text('[mise_en_page]\nmodele = "charte.docx"\n', encoding="utf-8")
    cfg = load_config(tmp_path / "spaser.toml")
    assert cfg.reference_docx == str(tmp_path / "charte.docx")
    for made in (draft_bytes(metropole, at=AT, config=cfg), deliberation_bytes(metropole, at=AT, config=cfg),
                 annual_report_bytes(metropole, year=2025, at=AT, config=cfg)):
        d = docx.Document(io.BytesIO(made))
        assert d.styles["Heading 1"].font.color.rgb == RED
        header = d.sections[0].header
        assert "charte graphique" in header.paragraphs[0].text
        assert header.paragraphs[0]._p.xpath(".//w:drawing")  # the logo
        assert "Hôtel de ville" in d.sections[0].footer.paragraphs[0].text
        assert all("texte du modèle" not in p.text for p in d.paragraphs)
        assert any(p.style.name.startswith(("Heading", "Title")) for p in d.paragraphs)


def test_reference_docx_refused_with_a_french_message(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('[mise_en_page]\nmodele = "absent.docx"\n', encoding="utf-8")
    with pytest.raises(InputError, match="introuvable"):
        load_config(tmp_path / "a.toml")
    (tmp_path / "faux.docx").write_text("pas un document", encoding="utf-8")
    (tmp_path / "b.toml").write_text('[mise_en_page]\nmodele = "faux.docx"\n', encoding="utf-8")
    with pytest.raises(InputError, match="docx"):
        load_config(tmp_path / "b.toml")


def _cm(twips: str) -> float:
    return int(twips) / 567


def test_every_table_fits_the_page_and_keeps_words_whole(documents: dict[str, bytes]) -> None:
    """Each table's columns add up to no more than the text width, and every word or number of a
    cell fits its column at the table's font size (so none is broken across lines)."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for name, made in documents.items():
        d = docx.Document(io.BytesIO(made))
        s = d.sections[0]
        text_width = (s.page_width - s.left_margin - s.right_margin) / 360000
        assert d.tables or name == "deliberation", name
        for t in d.tables:
            grid = [_cm(c.get(f"{w}w")) for c in t._tbl.tblGrid.findall(f"{w}gridCol")]
            assert sum(grid) <= text_width + 0.01, (name, t.rows[0].cells[0].text, sum(grid), text_width)
            for r, row in enumerate(t.rows):
                for width, cell in zip(grid, row.cells):
                    runs = [run for p in cell.paragraphs for run in p.runs]
                    if not runs:
                        continue
                    size = runs[0].font.size.pt if runs[0].font.size else TABLE_PT
                    per_char = (_BOLD_CHAR_CM if r == 0 else _CHAR_CM) * size / TABLE_PT
                    for token in _tokens(cell.text):
                        assert len(token) * per_char + _PADDING_CM <= width + 0.01, (name, token, width)


def test_action_examples_match_their_action_and_differ(metropole, documents: dict[str, bytes]) -> None:  # type: ignore[no-untyped-def]
    """Under the action plan, a purchase illustrates one action only, and one of its own field."""
    from spaser.documents.builders import _axes_data

    cpv = {p.id: p.cpv or "" for p in metropole.purchases}
    d = docx.Document(io.BytesIO(documents["projet"]))
    fields = {a["title"]: tuple(a.get("cpv") or ()) for axis in _axes_data().values() for a in axis["actions"]}
    seen: dict[str, str] = {}
    action = None
    for p in d.paragraphs:
        m = re.match(r"Action \d+\.\d+ : (.*)", p.text)
        if m:
            action = m.group(1)
            continue
        m = re.match(r"(\d{4}-\d{4}) : ", p.text)
        if action and m and p.style.name == "List Bullet":
            pid = m.group(1)
            assert pid not in seen, f"{pid} sous « {seen.get(pid)} » et « {action} »"
            seen[pid] = action
            if fields.get(action):
                assert cpv[pid].startswith(fields[action]), (pid, cpv[pid], action)
    assert len(set(seen.values())) >= 5


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) n'est pas installé : rendu des pages non vérifié")
def test_libreoffice_renders_each_document_with_its_expected_pages(tmp_path: Path, documents: dict[str, bytes]) -> None:
    """Each document opens in LibreOffice and has a page count in its expected range (no runaway
    table, no page left nearly empty by a table that does not fit)."""
    expected = {"projet": (22, 40), "deliberation": (2, 4), "bilan": (4, 12)}
    for name, made in documents.items():
        (tmp_path / f"{name}.docx").write_bytes(made)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    *[str(tmp_path / f"{n}.docx") for n in documents]], check=True, capture_output=True, timeout=240)
    for name, (low, high) in expected.items():
        pdf = (tmp_path / f"{name}.pdf").read_bytes()
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert low <= pages <= high, (name, pages)


def test_readme_lists_what_is_left_to_complete_in_the_default_draft(documents: dict[str, bytes]) -> None:
    """The README says how many « [à compléter] » the default draft leaves, and what each asks."""
    d = docx.Document(io.BytesIO(documents["projet"]))
    texts = [p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells]
    left = [m for t in texts for m in re.finditer(r"(?<!« )\[à compléter[^\]]*\]", t)]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"\*\*(\d+) mentions\s+« \[à compléter\] »\*\*", readme)
    assert m, "le README doit donner le nombre de mentions « [à compléter] » du projet par défaut"
    assert int(m.group(1)) == len(left)
    section = readme[m.end():].split("\n\n", 2)[1]
    rows = [line for line in section.splitlines() if line.startswith("| ")][1:]  # the header row aside
    assert len(rows) == len(left)  # one table row per mention
