"""Synthetic but realistic purchase portfolios for the benchmarks.

One buyer, ``n`` lines, French headers as buyers write them (a few synonyms
rather than only the template's), CPV codes drawn from the CPV 2008 table
with and without check digit (weighted towards the common purchase families:
works, cleaning, catering, IT, green spaces...), notification dates over the
last six complete years, amounts from a few hundred euros to a few million,
considerations mixed (some unknown), a few co-contractors, and about 0.5 %
dirty rows: impossible dates, amounts written as text with a euro sign,
missing amounts, malformed CPV codes, duplicate identifiers, blank lines.

Written as .xlsx (openpyxl write-only, real date and number cells), as .csv
(UTF-8 with BOM, ``;``, French numbers ``12 345,67`` and dates ``31/12/2024``)
and, through :mod:`benchmarks.gen_decp`, as DECP JSON. Files are cached
under ``benchmarks/_data/`` (git-ignored) by size, seed and generator version.

    python -m benchmarks.generate 100000 --formats xlsx,csv,decp
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

__all__ = ["HEADERS", "DATA_DIR", "rows", "write_csv", "write_xlsx", "write_decp", "dataset"]

GENERATOR_VERSION = 3  # 3: varied object texts (sites, streets, lots, phases), as in a real register
DATA_DIR = Path(__file__).resolve().parent / "_data"

HEADERS = [
    "N° marché", "Objet du marché", "Code CPV", "Type de contrat", "Montant HT (€)", "Date de notification",
    "Durée (mois)", "Procédure", "Lot", "Titulaire", "SIRET titulaire", "Type de structure",
    "Considérations sociales", "Considérations environnementales",
]

# (CPV prefix families, weight, object words): common purchases of a local authority.
_FAMILIES: list[tuple[str, int, list[str]]] = [
    ("45", 22, ["Travaux de réfection de la voirie", "Rénovation énergétique du groupe scolaire", "Réhabilitation de la salle polyvalente",
                "Travaux de couverture et d'étanchéité", "Aménagement d'une piste cyclable", "Extension de la médiathèque"]),
    ("9091", 8, ["Nettoyage des locaux administratifs", "Nettoyage des écoles et crèches", "Entretien de la vitrerie"]),
    ("5552", 6, ["Restauration scolaire", "Fourniture de repas en liaison froide", "Portage de repas à domicile"]),
    ("153", 4, ["Fourniture de fruits et légumes", "Fourniture de denrées alimentaires", "Produits laitiers pour la cuisine centrale"]),
    ("773", 6, ["Entretien des espaces verts", "Élagage et abattage d'arbres", "Fleurissement de la ville"]),
    ("302", 5, ["Acquisition de postes informatiques", "Fourniture d'ordinateurs portables", "Matériel informatique pour les écoles"]),
    ("72", 5, ["Maintenance du progiciel financier", "Hébergement et infogérance", "Développement du portail citoyen"]),
    ("341", 4, ["Acquisition de véhicules légers", "Location de véhicules utilitaires", "Achat de bennes à ordures ménagères"]),
    ("301", 3, ["Fournitures de bureau", "Papier et consommables d'impression", "Fourniture de mobilier de bureau"]),
    ("905", 5, ["Collecte des déchets ménagers", "Traitement des déchets verts", "Gestion de la déchetterie"]),
    ("798", 3, ["Impression du magazine municipal", "Prestations de communication", "Reprographie"]),
    ("712", 4, ["Maîtrise d'œuvre pour la construction d'un gymnase", "Assistance à maîtrise d'ouvrage", "Études de programmation"]),
    ("507", 4, ["Maintenance des installations de chauffage", "Entretien des ascenseurs", "Contrôle des installations électriques"]),
    ("093", 3, ["Fourniture d'électricité", "Fourniture de gaz naturel"]),
    ("6651", 2, ["Assurance dommages aux biens", "Assurance flotte automobile"]),
    ("805", 2, ["Formation des agents", "Formation sécurité incendie"]),
    ("18", 3, ["Vêtements de travail et EPI", "Fourniture de tenues pour la police municipale"]),
    ("391", 3, ["Mobilier scolaire", "Mobilier urbain", "Équipement des salles de classe"]),
    ("8531", 2, ["Accueil de loisirs sans hébergement", "Aide à domicile"]),
    ("60", 4, ["Transport scolaire", "Transport des élèves vers la piscine", "Location d'autocars avec chauffeur"]),
]
# Object texts vary as in a real register (tens of thousands of distinct texts at 100 000 lines):
# a family's object, then a site, a street, a sector or a phase, sometimes a lot.
_SITES = ["de l'école Jules Ferry", "du groupe scolaire Pasteur", "de la mairie annexe", "du gymnase Jean Moulin",
          "de la médiathèque", "du centre technique municipal", "de la piscine Tournesol", "de l'hôtel de ville",
          "du conservatoire", "de la crèche Les Lucioles", "du stade municipal", "de la maison des associations",
          "du centre social", "de l'EHPAD Les Tilleuls", "du musée", "de la salle des fêtes", "du cimetière",
          "des ateliers municipaux", "du parc des sports", "de la résidence autonomie"]
_STREETS = ["rue de la République", "avenue Jean Jaurès", "boulevard Victor Hugo", "rue Pasteur", "place de la Liberté",
            "chemin des Vignes", "rue des Écoles", "allée des Peupliers", "quai Saint-Antoine", "route de Grenoble",
            "rue du Stade", "impasse des Lilas", "cours Gambetta", "rue Édouard Herriot", "avenue des Frères Lumière"]
_SECTORS = ["secteur Nord", "secteur Sud", "secteur Est", "secteur Ouest", "centre-ville", "quartier des Pentes",
            "quartier prioritaire Les Minguettes", "zone d'activités", "hameau de Bellevue", "rive gauche"]
_PHASES = ["tranche ferme", "tranche optionnelle 1", "phase 2", "reconduction", "programme pluriannuel", "accord-cadre à bons de commande"]


def _object(rng: random.Random, objects: list[str], i: int) -> str:
    text = objects[rng.randrange(len(objects))]
    r = rng.random()
    if r < 0.35:
        text += " " + _SITES[rng.randrange(len(_SITES))]
    elif r < 0.55:
        text += f" — {rng.randrange(1, 180)} {_STREETS[rng.randrange(len(_STREETS))]}"
    elif r < 0.75:
        text += " — " + _SECTORS[rng.randrange(len(_SECTORS))]
    elif r < 0.85:
        text += f" {rng.randrange(2020, 2031)}-{rng.randrange(2021, 2034)}"
    if rng.random() < 0.25:
        text += f" - lot {rng.randrange(1, 12)}"
    if rng.random() < 0.15:
        text += " (" + _PHASES[rng.randrange(len(_PHASES))] + ")"
    if i % 3 == 0:
        text += f" — {_PLACES[i % 8]}"
    return text


_KINDS = ["Marché"] * 6 + ["Accord-cadre"] * 3 + ["Marché subséquent"]
_PROCEDURES = ["Procédure adaptée"] * 5 + ["Appel d'offres ouvert"] * 3 + ["Procédure négociée sans publicité", "Appel d'offres restreint"]
_SOCIAL = ["", "", "Pas de considération sociale", "Pas de considération sociale", "Pas de considération sociale",
           "Clause sociale", "Clause sociale", "Critère social", "Clause sociale ; Critère social", "Marché réservé"]
_ENV = ["", "", "Pas de considération environnementale", "Pas de considération environnementale",
        "Clause environnementale", "Clause environnementale", "Critère environnemental",
        "Clause environnementale ; Critère environnemental"]
_STRUCT = [""] * 40 + ["SIAE", "EA", "ESAT", "ESS"]
_PLACES = ["Lyon", "Villeurbanne", "Vénissieux", "Bron", "Saint-Priest", "Caluire-et-Cuire", "Rillieux-la-Pape", "Meyzieu", ""]
_COMPANIES = ["Société Nouvelle de Travaux", "Propreté Services", "Restauration Collective du Rhône", "Espaces Verts Lyonnais",
              "Informatique & Réseaux", "Transports Urbains Réunis", "Entreprise d'insertion Le Relais", "ESAT Les Ateliers",
              "Bâtiment Rhône-Alpes", "Garage Central", "Imprimerie Moderne", "Énergies Services"]


def _luhn(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return digits + str((10 - total % 10) % 10)


def _cpv_pool() -> list[tuple[list[str], int, list[str]]]:
    """Per family: the CPV codes of the table under its prefix."""
    from spaser import cpv

    table = cpv.table()
    return [(sorted(c for c in table if c.startswith(prefix)), weight, objects) for prefix, weight, objects in _FAMILIES]


def rows(n: int, *, seed: int = 0, today: date | None = None, years: int = 6) -> Iterator[list[Any]]:
    """``n`` data rows in HEADERS order (cells: str, float amounts, ``date``, int durations),
    notified over the last ``years`` complete years."""
    from spaser import cpv

    rng = random.Random(seed)
    today = today or date.today()
    last = today.year - 1
    start = date(last - years + 1, 1, 1)
    span = (date(last, 12, 31) - start).days
    pool = _cpv_pool()
    weights = [w for _, w, _ in pool]
    prev_id = f"{last}-0000000"
    sirets = [_luhn(_luhn(f"{rng.randrange(10**7, 10**8)}") + f"{rng.randrange(10**3, 10**4)}") for _ in range(997)]
    for i in range(n):
        codes, _, objects = rng.choices(pool, weights)[0]
        code = codes[rng.randrange(len(codes))]
        r = rng.random()
        cpv_cell: str = code if r < 0.5 else cpv.format(code) if r < 0.9 else code[:2] + " " + code[2:5] + " " + code[5:]
        band = rng.random()
        amount = (rng.uniform(500, 40_000) if band < 0.55 else rng.uniform(40_000, 215_000) if band < 0.85
                  else rng.uniform(215_000, 1_500_000) if band < 0.98 else rng.uniform(1_500_000, 9_000_000))
        amount = round(amount, 2) if rng.random() < 0.6 else float(round(amount))
        d = start + timedelta(days=rng.randrange(span + 1))
        k = rng.randrange(len(_COMPANIES))
        two = rng.random() < 0.03
        row: list[Any] = [
            f"{d.year}-{i:07d}",
            _object(rng, objects, i),
            cpv_cell,
            _KINDS[rng.randrange(len(_KINDS))],
            amount,
            d,
            rng.choice((12, 12, 24, 36, 48, 6, 3, "")),
            _PROCEDURES[rng.randrange(len(_PROCEDURES))],
            str(rng.randrange(1, 6)) if rng.random() < 0.2 else "",
            _COMPANIES[k] + ("\n" + _COMPANIES[(k + 1) % len(_COMPANIES)] if two else ""),
            sirets[i % len(sirets)] + ("\n" + sirets[(i + 1) % len(sirets)] if two else ""),
            _STRUCT[rng.randrange(len(_STRUCT))],
            _SOCIAL[rng.randrange(len(_SOCIAL))],
            _ENV[rng.randrange(len(_ENV))],
        ]
        if rng.random() < 0.005:  # dirty rows, as buyers' tables have them
            _dirty(row, rng, prev_id)
        prev_id = row[0]
        yield row


def _dirty(row: list[Any], rng: random.Random, prev_id: str) -> None:
    what = rng.randrange(7)
    if what == 0:
        row[5] = "31/02/2023"  # impossible date: warning, kept without date
    elif what == 1:
        row[4] = f"{row[4]:,.2f} €".replace(",", " ").replace(".", ",")  # amount as text with a euro sign
    elif what == 2:
        row[4] = ""  # amount missing: warning
    elif what == 3:
        row[2] = "4521"  # malformed CPV: warning
    elif what == 4:
        row[0] = prev_id  # duplicate identifier: rejected
    elif what == 5:
        row[4] = -abs(row[4])  # negative amount: rejected
    else:
        row[:] = [""] * len(row)  # blank line: skipped


def _csv_cell(v: Any) -> str:
    if isinstance(v, date):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, float):
        s = f"{v:,.2f}".replace(",", " ").replace(".", ",")
        return s[:-3] if s.endswith(",00") else s
    return str(v)


def write_csv(path: Path, n: int, *, seed: int = 0, years: int = 6) -> Path:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(HEADERS)
        for row in rows(n, seed=seed, years=years):
            w.writerow([_csv_cell(v) for v in row])
    tmp.replace(path)
    return path


def write_xlsx(path: Path, n: int, *, seed: int = 0) -> Path:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Marchés")
    ws.append(["Recensement des marchés publics"])  # a title row above the header, as usual
    ws.append([])
    ws.append(HEADERS)
    for row in rows(n, seed=seed):
        out = list(row)
        if isinstance(row[5], date):
            c = WriteOnlyCell(ws, value=row[5])
            c.number_format = "DD/MM/YYYY"
            out[5] = c
        ws.append(out)
    tmp = path.with_suffix(".tmp")
    wb.save(tmp)
    tmp.replace(path)
    return path


def write_decp(path: Path, n: int, *, seed: int = 0) -> Path:
    from benchmarks.gen_decp import generate_decp_json

    tmp = path.with_suffix(".tmp")
    generate_decp_json(tmp, n, seed=seed, format="2024")
    tmp.replace(path)
    return path


def write_csv_one_year(path: Path, n: int, *, seed: int = 0) -> Path:
    """The .csv of a buyer's one year: every line notified in the last complete year (what a
    SPASER draft and its advice examine, issue 14)."""
    return write_csv(path, n, seed=seed, years=1)


_WRITERS = {"xlsx": write_xlsx, "csv": write_csv, "csv1y": write_csv_one_year, "decp": write_decp}
_SUFFIX = {"xlsx": ".xlsx", "csv": ".csv", "csv1y": "-1an.csv", "decp": ".json"}


def dataset(fmt: str, n: int, *, seed: int = 0, directory: Path | None = None) -> Path:
    """The generated file for (format, size, seed), written once and reused."""
    d = directory or DATA_DIR
    d.mkdir(parents=True, exist_ok=True)
    stamp = date.today().year  # dates are relative to the current year
    path = d / f"{'decp' if fmt == 'decp' else 'portfolio'}-{n}-s{seed}-v{GENERATOR_VERSION}-{stamp}{_SUFFIX[fmt]}"
    if not path.exists():
        _WRITERS[fmt](path, n, seed=seed)
    return path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Generate benchmark portfolios (cached under benchmarks/_data/).")
    ap.add_argument("n", type=int)
    ap.add_argument("--formats", default="xlsx,csv,decp")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dir", type=Path, default=None)
    a = ap.parse_args(argv)
    for fmt in a.formats.split(","):
        print(dataset(fmt, a.n, seed=a.seed, directory=a.dir))


if __name__ == "__main__":
    main()
