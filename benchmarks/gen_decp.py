"""Generate a large, realistic DECP JSON file (streamed to disk, flat memory).

Used to measure ``spaser scan`` and the DECP reader on national-size files::

    python benchmarks/gen_decp.py /tmp/decp-1m.json 1000000 --format 2019

The data is fictitious but shaped like the real files: about one buyer per
20 contracts, valid SIRETs, CPV codes from the table, amounts from 1 000 € to
a few million, durations 1-60 months (some missing), notification dates
2019-2024, some concessions, and in 2024 format the considerations.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

__all__ = ["generate_decp_json", "luhn_complete"]

_NATURES = ["Marché", "Marché", "Marché", "Accord-cadre", "Marché subséquent"]
_PROCEDURES = ["Procédure adaptée", "Appel d'offres ouvert", "Appel d'offres restreint", "Dialogue compétitif"]
_SOCIAL = ["Clause sociale", "Critère social", "Marché réservé"]
_ENV = ["Clause environnementale", "Critère environnemental"]
_CPV = ["45000000-7", "90910000-9", "30213000-5", "79100000-5", "15000000-8", "72000000-5", "50700000-2", "34100000-8"]


def luhn_complete(digits: str) -> str:
    """``digits`` followed by the Luhn check digit."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:  # doubled: the check digit will sit to the right
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return digits + str((10 - total % 10) % 10)


def _siret(rng: random.Random) -> str:
    siren = luhn_complete(f"{rng.randrange(10**7, 10**8)}")
    return luhn_complete(siren + f"{rng.randrange(10**3, 10**4)}")


def _record(rng: random.Random, i: int, buyers: list[tuple[str, str]], fmt: str) -> dict:
    siret, name = buyers[rng.randrange(len(buyers))]
    concession = fmt == "2019" and rng.random() < 0.005  # 2024: separate list, not generated
    amount = rng.choice([rng.randrange(1_000, 40_000), rng.randrange(40_000, 500_000), rng.randrange(500_000, 5_000_000)])
    cents = rng.random() < 0.3
    montant: object = float(f"{amount}.{rng.randrange(100):02d}") if cents else amount
    year = rng.randrange(2019, 2025)
    rec: dict = {
        "id": f"{year}M{i:08d}",
        "nature": "Concession de service" if concession else rng.choice(_NATURES),
        "objet": f"Marché n° {i} — prestations diverses",
        "codeCPV": rng.choice(_CPV),
        "procedure": rng.choice(_PROCEDURES),
        "lieuExecution": {"code": f"{rng.randrange(1, 96):02d}", "typeCode": "Code département"},
        "dateNotification": f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
        "montant": montant,
        "formePrix": "Ferme",
        "titulaires": [{"typeIdentifiant": "SIRET", "id": _siret(rng), "denominationSociale": f"Entreprise {i % 9973}"}],
        "modifications": [],
    }
    if rng.random() > 0.05:
        rec["dureeMois"] = rng.randrange(1, 61)
    if fmt == "2019":
        rec["_type"] = "Contrat de concession" if concession else "Marché"
        rec["acheteur"] = {"id": siret, "nom": name}
        if concession:
            rec["autoriteConcedante"] = rec.pop("acheteur")
            rec["valeurGlobale"] = rec.pop("montant")
            rec["dateSignature"] = rec.pop("dateNotification")
    else:
        rec["acheteur"] = {"id": siret}
        soc = rng.sample(_SOCIAL, rng.randrange(0, 2)) or ["Pas de considération sociale"]
        env = rng.sample(_ENV, rng.randrange(0, 2)) or ["Pas de considération environnementale"]
        rec["considerationsSociales"] = {"considerationSociale": soc}
        rec["considerationsEnvironnementales"] = {"considerationEnvironnementale": env}
        rec["titulaires"] = [{"titulaire": t} for t in rec["titulaires"]]
        if rec["nature"] == "Accord-cadre":
            rec["nature"] = "Marché"
            rec["techniques"] = {"technique": ["Accord-cadre"]}
    return rec


def generate_decp_json(path: str | Path, n: int, *, seed: int = 0, format: str = "2019") -> Path:  # noqa: A002
    """Write ``n`` fictitious contracts as a DECP JSON file (format "2019" or "2024")."""
    if format not in ("2019", "2024"):
        raise ValueError("format: '2019' or '2024'")
    rng = random.Random(seed)
    buyers = [(_siret(rng), f"Acheteur public n° {k}") for k in range(max(1, n // 20))]
    out = Path(path)
    with open(out, "w", encoding="utf-8") as fh:
        fh.write('{"marches": [\n' if format == "2019" else '{"marches": {"marche": [\n')
        for i in range(n):
            if i:
                fh.write(",\n")
            fh.write(json.dumps(_record(rng, i, buyers, format), ensure_ascii=False))
        fh.write("\n]}\n" if format == "2019" else "\n]}}\n")
    return out


if __name__ == "__main__":  # pragma: no cover
    args = sys.argv[1:]
    fmt = "2019"
    if "--format" in args:
        k = args.index("--format")
        fmt = args[k + 1]
        del args[k : k + 2]
    generate_decp_json(args[0], int(args[1]), format=fmt)
