"""``spaser suppliers``: each supplier of a portfolio with the kinds the official lists give it.

Also the glue every command shares: ``--liste`` / ``--en-ligne`` are read by
:func:`apply_lists`, called by ``load_input`` once the portfolio is imported.
"""

from __future__ import annotations

import argparse
from typing import Any

from spaser.cli._common import add_common, add_input, exit_code, load_input, print_json, say

__all__ = ["register", "add_list_options", "apply_lists", "CLASSIFICATION"]

CLASSIFICATION = "fournisseurs"  # key of ImportResult.extra holding the Classification


def add_list_options(p: argparse.ArgumentParser | Any) -> None:
    p.add_argument("--liste", metavar="FICHIER", action="append", default=None,
                   help="liste officielle de fournisseurs (Marché de l'inclusion, ESUS, FINESS, SIRENE, Annuaire des "
                        "Entreprises, ESS France) ; répétable ; FORMAT=FICHIER pour nommer le format (ex. esus=agrements.xlsx)")
    p.add_argument("--en-ligne", action="store_true",
                   help="interroger aussi l'API publique « Recherche d'entreprises » (réseau ; résultats gardés en cache)")


def _config_of(args: argparse.Namespace) -> Any:
    path = getattr(args, "config", None)
    if not path:
        return None
    from spaser.documents.config import load_config

    return load_config(path)


def apply_lists(args: argparse.Namespace, result: Any, portfolio: Any) -> Any:
    """The portfolio with its suppliers classified and its buyer's kind found, when lists (or --en-ligne) are given.

    The classification is kept in ``result.extra["fournisseurs"]``. Unchanged when nothing is asked.
    """
    cfg = _config_of(args)
    specs = list(cfg.lists if cfg else ()) + list(getattr(args, "liste", None) or ())
    online = bool(getattr(args, "en_ligne", False) or (cfg.online if cfg else False))
    if portfolio is None or not (specs or online or getattr(args, "_always_classify", False)):
        return portfolio
    from spaser.suppliers import classify_portfolio

    lists, categories = _read_lists(specs, online, _wanted(portfolio))
    c = classify_portfolio(portfolio, lists, categories=categories)
    result.extra[CLASSIFICATION] = c
    return c.portfolio


def classify_with(specs: tuple[str, ...] | list[str], portfolio: Any) -> Any:
    """The Classification of ``portfolio`` with the lists ``specs`` (only its SIRENs are kept)."""
    from spaser.suppliers import classify_portfolio

    return classify_portfolio(portfolio, _read_lists(specs, False, _wanted(portfolio))[0])


def classify_members(args: argparse.Namespace, members: list[Any]) -> list[Any]:
    """The portfolios of a joint scheme, each classified with the lists (read once for all)."""
    from spaser.suppliers import classify_portfolio

    wanted = set().union(*(_wanted(m) for m in members)) if members else set()
    lists, categories = _read_lists(list(args.liste or ()), args.en_ligne, wanted)
    return [classify_portfolio(m, lists, categories=categories).portfolio for m in members]


def _read_lists(specs: tuple[str, ...] | list[str], online: bool, wanted: set[str]) -> tuple[Any, dict[str, str] | None]:
    """(the lists read, keeping the ``wanted`` SIRENs; {SIREN: legal category} from the online look-up, None offline)."""
    from spaser.suppliers import load_lists

    lists = load_lists(specs, wanted=wanted)
    if not online:
        return lists, None
    from spaser.suppliers.lookup import enrich_online

    return enrich_online(lists, wanted)


def _wanted(portfolio: Any) -> set[str]:
    """The SIRENs of a portfolio's suppliers and buyer: the only lines of a list worth keeping."""
    from spaser.ids import siren_of

    sirets = {s.siret for p in portfolio.purchases for s in p.suppliers if s.siret}  # each supplier once, not per purchase
    if portfolio.buyer.siret:
        sirets.add(portfolio.buyer.siret)
    return {siren_of(s) for s in sirets}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "suppliers",
        help="fournisseurs : SIAE, EA, ESAT, GEIQ, ESUS, ESS d'après les listes officielles ; type d'acheteur",
        description=(
            "Liste chaque titulaire du portefeuille avec son SIRET, son nom, le montant de ses achats, les types "
            "trouvés (SIAE, EA, ESAT, GEIQ, ESUS, ESS) et la source de chacun, d'après les listes officielles données "
            "avec --liste (hors ligne) ou l'API « Recherche d'entreprises » (--en-ligne). Les titulaires qu'aucune liste "
            "ne connaît sont comptés à part : inconnu n'est pas « non ». Donne aussi le type d'acheteur déduit de sa "
            "catégorie juridique INSEE et les parts d'achats auprès d'ESUS et d'entreprises inclusives par année."
        ),
    )
    add_input(p)
    p.add_argument("--config", metavar="FICHIER", help="fichier de configuration TOML (section [fournisseurs] : listes, en_ligne)")
    p.add_argument("--tous", action="store_true", help="afficher tous les titulaires (défaut : les 50 premiers par montant)")
    add_common(p)
    p.set_defaults(func=run, _always_classify=True)


def run(args: argparse.Namespace) -> int:
    from spaser.suppliers import supplier_indicators
    from spaser.suppliers.render import render_buyer, render_indicators, render_lists, render_suppliers

    result, portfolio = load_input(args)
    if portfolio is None:
        result.portfolio  # noqa: B018 - raises the French error naming the buyers
    c = result.extra[CLASSIFICATION]
    ind = supplier_indicators(c)
    if args.json:
        print_json({"import": result.report.to_dict(), "suppliers": c.to_dict(), "indicators": ind.to_dict()})
        return exit_code(args, result)
    say(f"Import : {result.report.summary_fr()}")
    for line in render_lists(c):
        say(line)
    say()
    for line in render_buyer(c):
        say(line)
    say()
    say("TITULAIRES")
    for line in render_suppliers(c, limit=None if args.tous else 50):
        say(line)
    say()
    say("PARTS D'ACHATS (L2111-3 : ESUS et entreprises employant des personnes handicapées ou défavorisées)")
    for line in render_indicators(ind, c):
        say(line)
    return exit_code(args, result)
