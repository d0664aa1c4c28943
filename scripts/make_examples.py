"""Generate the fictitious example files under examples/ (deterministic, seeded).

    python scripts/make_examples.py [--out examples]

- metropole.xlsx: a large buyer (« Métropole de Val-de-Loire-Océan »), about
  3 000 contract lines notified 2022 to mid-2026, as a procurement
  register export (title rows, French headers, a « Notes » sheet);
- petite_commune.csv: a small commune (about 80 lines), « ; » delimiter,
  French numbers, UTF-8 with BOM as Excel writes it.

Every name, SIRET (valid Luhn key, made up) and amount is invented.
Rates and amounts are example values, not legal parameters.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from stdnum import luhn

from spaser import cpv as _cpv
from spaser.law import params as _params

EXPORT_DATE = date(2026, 11, 13)
BUYER_NAME = "Métropole de Val-de-Loire-Océan"
SPEND_YEARS = (2023, 2024, 2025, 2026)
CENT = Decimal("0.01")


def make_siret(rnd: random.Random, first: str = "") -> str:
    """A made-up SIRET whose SIREN and SIRET Luhn keys are both valid."""
    while True:
        body = first + "".join(rnd.choice("0123456789") for _ in range(8 - len(first)))
        siren = body + luhn.calc_check_digit(body)
        nic = f"{rnd.randint(1, 999):04d}"
        siret = siren + nic + luhn.calc_check_digit(siren + nic)
        if luhn.is_valid(siret) and luhn.is_valid(siren):
            return siret


BUYER_SIRET = make_siret(random.Random(7), "2449")  # made up (valid keys), shown in the title row


@dataclass(frozen=True)
class Family:
    key: str
    cpvs: tuple[str, ...]
    objects: tuple[str, ...]
    weight: float
    mu: float  # log-normal amount parameters (euros HT, whole contract)
    sigma: float
    months: tuple[int, int]
    framework: float = 0.5  # share of accords-cadres
    insertion: bool = False  # insertion clause relevant (hours)
    food: bool = False
    agec: int | None = None
    reservable: bool = False


FAMILIES: tuple[Family, ...] = (
    Family("nettoyage", ("90910000", "90911200"), ("Nettoyage des locaux administratifs", "Nettoyage des groupes scolaires",
           "Nettoyage des équipements sportifs", "Nettoyage de la vitrerie des bâtiments métropolitains"), 7, 12.3, 0.9, (24, 48), 0.6, True,
           reservable=True),
    Family("espaces_verts", ("77310000", "77311000", "45112700"), ("Entretien des espaces verts du secteur {s}", "Tonte et débroussaillage des bords de route",
           "Élagage et abattage d'arbres d'alignement", "Aménagement paysager du parc {p}"), 7, 11.9, 1.0, (12, 48), 0.6, True, reservable=True),
    Family("restauration", ("55523100", "55524000"), ("Restauration scolaire - fourniture de repas en liaison froide", "Repas des centres de loisirs",
           "Portage de repas à domicile"), 3, 13.2, 0.8, (36, 48), 0.7, True, food=True),
    Family("denrees", ("15100000", "15300000", "15500000", "15800000"), ("Fourniture de viandes fraîches pour la cuisine centrale",
           "Fruits et légumes frais pour la cuisine centrale", "Produits laitiers", "Épicerie et produits secs"), 5, 11.6, 0.8, (12, 48), 0.9,
           food=True),
    Family("voirie", ("45233140", "45233120"), ("Travaux d'entretien de la voirie - secteur {s}", "Réfection de la chaussée de la rue {r}",
           "Aménagement d'une piste cyclable avenue {r}", "Création d'un giratoire route de {v}"), 8, 12.8, 1.3, (3, 48), 0.5, True),
    Family("batiment", ("45210000", "45214200", "45453000", "45261000", "45310000", "45330000"), ("Construction du groupe scolaire {p} - lot {n}",
           "Réhabilitation du gymnase {p}", "Rénovation énergétique de l'école {p}", "Réfection de la toiture de la médiathèque",
           "Travaux d'électricité - bâtiments communautaires", "Travaux de plomberie - équipements aquatiques"), 8, 12.6, 1.4, (4, 30), 0.2, True),
    Family("informatique", ("30213000", "30200000", "72260000", "48000000", "72000000"), ("Acquisition de postes de travail informatiques",
           "Maintenance du progiciel de gestion financière", "Infogérance du système d'information", "Licences logicielles bureautiques",
           "Matériel réseau et serveurs"), 6, 11.7, 1.1, (12, 48), 0.6, agec=2),
    Family("vehicules", ("34110000", "34144000", "34144511", "50110000"), ("Acquisition de véhicules utilitaires électriques",
           "Acquisition de bennes à ordures ménagères", "Entretien et réparation de la flotte automobile", "Véhicules légers de service"),
           3, 12.4, 1.0, (12, 48), 0.5, agec=8),
    Family("dechets", ("90500000", "90511000"), ("Collecte des ordures ménagères - secteur {s}", "Exploitation des déchèteries",
           "Collecte sélective des emballages", "Traitement des biodéchets"), 3, 14.0, 1.0, (48, 84), 0.3, True),
    Family("impression", ("79800000", "79810000", "30192000"), ("Impression du magazine métropolitain", "Impression de supports de communication",
           "Fournitures de bureau et papier", "Consommables d'impression"), 4, 10.6, 0.9, (12, 48), 0.8, agec=6),
    Family("textiles", ("18100000", "18110000"), ("Vêtements de travail et équipements des agents", "Tenues de la police municipale"),
           2, 10.9, 0.7, (24, 48), 0.8, agec=1),
    Family("mobilier", ("39100000", "39130000"), ("Mobilier de bureau", "Mobilier scolaire", "Mobilier des médiathèques"), 3, 10.8, 0.9,
           (12, 48), 0.7, agec=9),
    Family("energie", ("09310000", "09123000"), ("Fourniture d'électricité des bâtiments et de l'éclairage public", "Fourniture de gaz naturel"),
           1, 15.2, 0.6, (24, 48), 0.9),
    Family("securite", ("79710000",), ("Gardiennage et surveillance des bâtiments", "Sécurité des événements métropolitains"), 2, 11.9, 0.8,
           (12, 48), 0.6, True),
    Family("assurance", ("66510000",), ("Assurance dommages aux biens", "Assurance flotte automobile", "Assurance responsabilité civile"), 1, 12.2,
           0.6, (48, 60), 0.1),
    Family("etudes", ("71000000", "71200000", "79400000"), ("Maîtrise d'œuvre pour la construction du groupe scolaire {p}",
           "Étude de mobilité du secteur {s}", "Assistance à maîtrise d'ouvrage - plan climat", "Mission de conseil en organisation"), 5, 11.3, 1.1,
           (6, 36), 0.3),
    Family("transport", ("60100000",), ("Transport scolaire - circuits du secteur {s}", "Transport des enfants vers les centres de loisirs"),
           2, 12.8, 0.8, (36, 60), 0.4, True),
    Family("formation", ("80530000",), ("Formation professionnelle des agents", "Formation à la conduite d'engins"), 2, 10.4, 0.8, (12, 36), 0.8),
)

PLACES = ("Beaulieu", "Les Rives", "La Varenne", "Saint-Martin", "Le Port", "Les Tilleuls", "Pasteur", "Jean-Moulin", "Les Mauges")
STREETS = ("de la Loire", "Victor-Hugo", "des Acacias", "du Général-Leclerc", "de l'Océan", "Jules-Ferry", "des Écoles")
TOWNS = ("Val-de-Loire", "Saint-Aubin", "Montreuil-sur-Loire", "Port-Océan", "La Chapelle-des-Prés", "Beaufort")
SECTORS = ("Nord", "Sud", "Est", "Ouest", "Centre", "Estuaire")

SUPPLIER_WORDS = {
    "nettoyage": ("Propreté", "Clean", "Net Services", "Hygiène"),
    "espaces_verts": ("Paysages", "Jardins", "Verts Horizons", "Arbor"),
    "restauration": ("Restauration", "Saveurs", "Cuisine collective"),
    "denrees": ("Primeurs", "Boucherie", "Laiterie", "Épicerie en gros"),
    "voirie": ("TP", "Routes", "Enrobés", "Travaux publics"),
    "batiment": ("Bâtiment", "Construction", "Charpente", "Électricité", "Plomberie"),
    "informatique": ("Informatique", "Systèmes", "Numérique", "Data"),
    "vehicules": ("Automobiles", "Poids lourds", "Garage"),
    "dechets": ("Environnement", "Recyclage", "Collecte"),
    "impression": ("Imprimerie", "Bureau", "Papeterie"),
    "textiles": ("Textiles", "Vêtements pro", "Uniformes"),
    "mobilier": ("Mobilier", "Agencement", "Collectivités"),
    "energie": ("Énergies", "Gaz et électricité"),
    "securite": ("Sécurité", "Surveillance", "Gardiennage"),
    "assurance": ("Assurances", "Mutuelle"),
    "etudes": ("Ingénierie", "Conseil", "Architectes", "Études"),
    "transport": ("Cars", "Transports", "Voyages"),
    "formation": ("Formation", "Institut", "Académie"),
}
SURNAMES = ("Martin", "Bernard", "Thomas", "Robert", "Richard", "Durand", "Moreau", "Laurent", "Girard", "Bonnet", "Dupont", "Lambert",
            "Fontaine", "Rousseau", "Vincent", "Leroy", "Guérin", "Chevalier", "Gautier", "Perrin", "Morel", "Mercier", "Blanc", "Faure")
SOCIAL_NAMES = {
    "SIAE": ("Régie de quartier {p}", "Chantier d'insertion {p}", "Association Tremplin {t}", "Entreprise d'insertion {t} Services"),
    "EA": ("Entreprise adaptée {t}", "Handi-Services {t}"),
    "ESAT": ("ESAT Les Iris", "ESAT {p}", "ESAT Les Ateliers de {t}"),
    "ESUS": ("Coopérative {t} Solidaire", "SCIC Terres de {t}"),
}

SOCIAL_RATE = {2024: 0.19, 2025: 0.23, 2026: 0.27}
ENV_RATE = {2024: 0.38, 2025: 0.50, 2026: 0.58}


def _money(x: float) -> Decimal:
    return Decimal(str(x)).quantize(CENT, rounding=ROUND_HALF_UP)


def _fill(text: str, rnd: random.Random) -> str:
    return text.format(s=rnd.choice(SECTORS), p=rnd.choice(PLACES), r=rnd.choice(STREETS), v=rnd.choice(TOWNS), n=rnd.randint(1, 12))


class Suppliers:
    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd
        self.by_family: dict[str, list[tuple[str, str, str]]] = {}
        self.social: dict[str, list[tuple[str, str, str]]] = {}
        for fam in FAMILIES:
            pool = []
            for _ in range(rnd.randint(8, 25)):
                word = rnd.choice(SUPPLIER_WORDS[fam.key])
                form = rnd.choice(("{w} {n}", "{n} {w}", "{w} de {t}", "SAS {n} {w}", "{w} {t}"))
                name = form.format(w=word, n=rnd.choice(SURNAMES), t=rnd.choice(TOWNS))
                kind = rnd.choices(("", "ESUS", "ESS"), (0.94, 0.02, 0.04))[0]
                pool.append((name, make_siret(rnd), kind))
            self.by_family[fam.key] = pool
        for kind, forms in SOCIAL_NAMES.items():
            self.social[kind] = [(f.format(p=rnd.choice(PLACES), t=rnd.choice(TOWNS)), make_siret(rnd), kind)
                                 for f in forms for _ in range(2)]

    def pick(self, fam: Family, social_kind: str | None = None) -> tuple[str, str, str]:
        if social_kind:
            return self.rnd.choice(self.social[social_kind])
        return self.rnd.choice(self.by_family[fam.key])


def _spend(amount: Decimal, start: date, months: int, rnd: random.Random) -> dict[int, Decimal]:
    """Spread the consumed part of a contract evenly over its months, per calendar year, up to the export date."""
    consumed = float(amount) * rnd.uniform(0.65, 1.0)
    months = max(months, 1)
    per_month = consumed / months
    out: dict[int, float] = {}
    y, m = start.year, start.month
    for _ in range(months):
        if date(y, m, 1) > EXPORT_DATE:
            break
        out[y] = out.get(y, 0.0) + per_month
        m += 1
        if m > 12:
            y, m = y + 1, 1
    return {yr: _money(v) for yr, v in out.items() if yr in SPEND_YEARS}


METRO_HEADERS = [
    "N° marché", "Lot", "Objet du marché", "Code CPV principal", "Nature", "Type de contrat", "Procédure",
    "Date de lancement de la consultation", "Date de notification", "Durée (mois)", "Montant HT (€)", "Titulaire", "SIRET titulaire",
    "Type de structure", "Considérations sociales", "Considérations environnementales", "Heures d'insertion prévues",
    "Heures d'insertion réalisées", "Catégorie EGalim", "Viande ou poisson", "Catégorie AGEC", "Réemploi / recyclé", "Lieu d'exécution",
    *[f"Dépense {y}" for y in SPEND_YEARS], "Acheteur", "SIRET acheteur", "Type d'acheteur",
]


def metropole_rows(rnd: random.Random, n_contracts: int = 1850) -> list[list[object]]:
    sup = Suppliers(rnd)
    weights = [f.weight for f in FAMILIES]
    rows: list[list[object]] = []
    counters: dict[int, int] = {}
    start, end = date(2022, 1, 3), date(2026, 11, 6)
    # Consultations launched from this date fall under the per-contract rules (read from the law parameters).
    switch = _params.get("climat.obligations_par_marche").values[0].start
    span = (end - start).days
    for _ in range(n_contracts):
        fam = rnd.choices(FAMILIES, weights)[0]
        notif = start + timedelta(days=rnd.randint(0, span))
        year = notif.year
        counters[year] = counters.get(year, 0) + 1
        ident = f"{year}-{counters[year]:04d}"
        base_object = _fill(rnd.choice(fam.objects), rnd)
        n_lots = 1 if rnd.random() < 0.8 else rnd.randint(2, 6)
        total = math.exp(rnd.gauss(fam.mu, fam.sigma))
        if fam.key == "batiment" and rnd.random() < 0.05:
            total *= 25  # a few large works
        framework = rnd.random() < fam.framework
        kind = "Accord-cadre" if framework else rnd.choices(("Marché", "Marché subséquent"), (0.93, 0.07))[0]
        p_open = total / (total + 300_000)
        procedure = rnd.choices(("Appel d'offres ouvert", "Procédure adaptée", "Procédure avec négociation", "Marché sans publicité ni mise en concurrence"),
                                (p_open, (1 - p_open) * 0.85, p_open * 0.1, (1 - p_open) * 0.15))[0]
        months = rnd.randint(*fam.months)
        launch = notif - timedelta(days=rnd.randint(30, 140))
        post = launch >= switch  # buyers adapt their documents after the switch, not all of them
        known = year >= 2024
        reserved = known and fam.reservable and rnd.random() < 0.08
        for lot in range(1, n_lots + 1):
            amount = _money(total * rnd.uniform(0.5, 1.5) / n_lots)
            cpv_code = rnd.choice(fam.cpvs)
            social_kind = None
            if reserved:
                social_kind = rnd.choice(("SIAE", "ESAT", "EA"))
            elif rnd.random() < 0.015:
                social_kind = rnd.choice(("SIAE", "EA", "ESAT", "ESUS"))
            name, siret, skind = sup.pick(fam, social_kind)
            social = env = ""
            hours_plan = hours_done = None
            if known:
                social_parts = []
                if reserved:
                    social_parts.append("Marché réservé")
                if rnd.random() < (0.75 if post and total >= 200_000 else SOCIAL_RATE[year] * (1.6 if fam.insertion else 0.6)):
                    social_parts.append("Clause sociale")
                    if rnd.random() < 0.25:
                        social_parts.append("Critère social")
                social = "; ".join(social_parts) or "Pas de considération sociale"
                env_parts = []
                if rnd.random() < (0.9 if post else ENV_RATE[year]):
                    env_parts.append("Clause environnementale")
                    if rnd.random() < (0.75 if post else 0.35):
                        env_parts.append("Critère environnemental")
                env = "; ".join(env_parts) or "Pas de considération environnementale"
                if fam.insertion and "Clause sociale" in social_parts and amount > 90_000:
                    hours_plan = int(float(amount) * rnd.uniform(0.04, 0.08) / 30)
                    if year < 2025:
                        hours_done = int(hours_plan * rnd.uniform(0.6, 1.25))
            egalim = meat = ""
            if fam.food:
                egalim = rnd.choices(("Bio", "Durable et de qualité", "Autre"), (0.25, 0.3, 0.45))[0]
                meat = "Oui" if cpv_code == "15100000" or (fam.key == "restauration" and rnd.random() < 0.3) else ""
            agec_cat = agec_kind = ""
            if fam.agec and rnd.random() < 0.7:
                agec_cat = fam.agec
                agec_kind = rnd.choices(("Issu du réemploi", "Intégrant des matières recyclées", "Neuf"), (0.1, 0.15, 0.75))[0]
            spend = _spend(amount, notif, months, rnd)
            obj = base_object + (f" - lot {lot}" if n_lots > 1 else "")
            nature = _cpv.nature(cpv_code).capitalize()
            rows.append([
                ident, lot if n_lots > 1 else None, obj, _cpv.format(cpv_code), nature, kind, procedure,
                launch if post or rnd.random() < 0.6 else None, notif, months, amount, name, siret, skind or None, social or None, env or None,
                hours_plan, hours_done, egalim or None, meat or None, agec_cat or None, agec_kind or None,
                rnd.choice(TOWNS), *[spend.get(y) for y in SPEND_YEARS], BUYER_NAME, BUYER_SIRET, "epci",
            ])
    rows.sort(key=lambda r: (r[8], r[0], r[1] or 0))  # type: ignore[return-value]
    return rows


def write_metropole(path: Path, rnd: random.Random) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    rows = metropole_rows(rnd)
    wb = Workbook()
    ws = wb.active
    ws.title = "Marchés notifiés"
    ws["A1"] = BUYER_NAME
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "Direction de la commande publique - registre des marchés notifiés 2022-2026"
    ws["A3"] = f"Extraction du {EXPORT_DATE.strftime('%d/%m/%Y')} - montants en euros hors taxes - SIRET de l'acheteur : {BUYER_SIRET}"
    ws.merge_cells("A1:H1")
    ws.merge_cells("A2:H2")
    ws.merge_cells("A3:H3")
    ws.append([])
    ws.append(METRO_HEADERS)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for c in ws[5]:
        c.font = Font(bold=True)
        c.fill = head_fill
        c.alignment = Alignment(wrap_text=True, vertical="center")
    for r in rows:
        ws.append(r)
    money_cols = {METRO_HEADERS.index(h) + 1 for h in METRO_HEADERS if h.startswith(("Montant", "Dépense"))}
    date_cols = {METRO_HEADERS.index(h) + 1 for h in METRO_HEADERS if h.startswith("Date")}
    for row in ws.iter_rows(min_row=6):
        for c in row:
            if c.column in money_cols:
                c.number_format = '#,##0.00\\ "€"'
            elif c.column in date_cols:
                c.number_format = "DD/MM/YYYY"
    widths = {"Objet du marché": 55, "Titulaire": 32, "Procédure": 26, "Considérations sociales": 28, "Considérations environnementales": 30}
    from openpyxl.utils import get_column_letter

    for j, h in enumerate(METRO_HEADERS, start=1):
        ws.column_dimensions[get_column_letter(j)].width = widths.get(h, 15)
    ws.freeze_panes = "D6"
    ws.auto_filter.ref = f"A5:{get_column_letter(len(METRO_HEADERS))}{ws.max_row}"
    notes = wb.create_sheet("Notes")
    for line in (
        "Données fictives générées par scripts/make_examples.py (spaser) : toute ressemblance avec un acheteur ou une entreprise existants serait fortuite.",
        "Une ligne par marché ou par lot. Montants : montant maximum HT sur la durée du marché (accords-cadres compris).",
        "Colonnes « Dépense AAAA » : dépenses mandatées sur l'année (HT) ; 2026 : jusqu'à la date d'extraction.",
        "Considérations sociales et environnementales renseignées pour les marchés notifiés depuis le 1er janvier 2024 (vocabulaire DECP).",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 140
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(_stable_zip(buf.getvalue()))


def _stable_zip(data: bytes) -> bytes:
    """Same bytes on every run: fixed member timestamps and document dates (openpyxl stamps "now")."""
    import re
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                part = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*<", rb"\g<1>2026-06-30T12:00:00Z<", part)
            zi = zipfile.ZipInfo(info.filename, (2026, 6, 30, 12, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, part)
    return out.getvalue()


COMMUNE_HEADERS = ["Identifiant", "Objet", "Code CPV", "Montant HT", "Date de notification", "Durée (mois)", "Procédure", "Titulaire",
                   "SIRET titulaire", "Considérations sociales", "Considérations environnementales", "Dépense 2024", "Dépense 2025",
                   "Acheteur", "SIRET acheteur", "Type d'acheteur"]
COMMUNE_NAME = "Commune de Saint-Aubin-des-Prés"
COMMUNE_SIRET = make_siret(random.Random(11), "2135")
COMMUNE_ITEMS = (
    ("Entretien des espaces verts communaux", "77310000", 10.8), ("Nettoyage de la mairie et des écoles", "90910000", 10.9),
    ("Restauration scolaire", "55523100", 12.0), ("Réfection de la voirie communale", "45233140", 11.6),
    ("Rénovation de la salle des fêtes", "45453000", 11.9), ("Fournitures scolaires", "30192000", 9.3),
    ("Maintenance de l'éclairage public", "45310000", 10.4), ("Assurance des biens communaux", "66510000", 9.6),
    ("Photocopieurs - location et maintenance", "79800000", 9.0), ("Transport scolaire", "60100000", 11.0),
    ("Fourniture de repas pour la crèche", "15800000", 9.8), ("Travaux de couverture de l'église", "45261000", 11.3),
)


def _fr_number(d: Decimal) -> str:
    whole, _, frac = f"{d:.2f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return "\u00a0".join(groups) + "," + frac


def write_commune(path: Path, rnd: random.Random) -> None:
    sup = [(f"{w} {rnd.choice(SURNAMES)}", make_siret(rnd)) for w in ("Paysages", "Propreté", "Cuisine", "TP", "Bâtiment", "Bureau",
                                                                     "Électricité", "Assurances", "Imprimerie", "Cars", "Primeurs", "Charpente")]
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow(COMMUNE_HEADERS)
    n = 0
    for year in (2024, 2025):
        for _ in range(40):
            n += 1
            k = rnd.randrange(len(COMMUNE_ITEMS))
            obj, code, mu = COMMUNE_ITEMS[k]
            amount = _money(math.exp(rnd.gauss(mu, 0.6)))
            notif = date(year, 1, 1) + timedelta(days=rnd.randint(0, 360))
            months = rnd.choice((12, 12, 24, 36, 48))
            social = rnd.choices(("Clause sociale", "Pas de considération sociale"), (0.15, 0.85))[0]
            env = rnd.choices(("Clause environnementale", "Pas de considération environnementale"), (0.4, 0.6))[0]
            spend = _spend(amount, notif, months, rnd)
            w.writerow([f"C{year}-{n:03d}", obj, code, _fr_number(amount), notif.strftime("%d/%m/%Y"), months,
                        "Procédure adaptée", sup[k][0], sup[k][1], social, env,
                        _fr_number(spend[2024]) if 2024 in spend else "", _fr_number(spend[2025]) if 2025 in spend else "",
                        COMMUNE_NAME, COMMUNE_SIRET, "commune"])
    path.write_bytes(out.getvalue().encode("utf-8-sig"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "examples"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_metropole(out / "metropole.xlsx", random.Random(2024))
    write_commune(out / "petite_commune.csv", random.Random(35))
    print(f"Écrit : {out / 'metropole.xlsx'}, {out / 'petite_commune.csv'}")


if __name__ == "__main__":
    main()
