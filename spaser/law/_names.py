"""The legal parameters' names as types, for mypy: generated from spaser/law/parameters by
``params.names_source`` (do not edit; tests/test_law_names.py checks it is up to date).

``law.parameters.spaser.seuil`` is typed ``Parameter``; a misspelt name is a mypy error
(and an AttributeError when run)."""

from __future__ import annotations

from spaser.law.params import BranchBase, Parameter, ParametersBase


class Tree(ParametersBase):
    agec: _Agec
    anru: _Anru
    aper: _Aper
    climat: _Climat
    construction: _Construction
    criteres: _Criteres
    decp: _Decp
    egalim: _Egalim
    emploi: _Emploi
    estimation: _Estimation
    insertion: _Insertion
    pnad: _Pnad
    procedures: _Procedures
    reservation: _Reservation
    seuils_europeens: _Seuils_europeens
    spaser: _Spaser


class _Agec(BranchBase):
    categorie_01: _Agec_Categorie_01
    informatique_reemploi_cession: Parameter


class _Agec_Categorie_01(BranchBase):
    recycle: Parameter
    reemploi: Parameter


class _Anru(BranchBase):
    insertion_gestion_urbaine: Parameter
    insertion_travaux: Parameter


class _Aper(BranchBase):
    critere_environnemental_enr: Parameter


class _Climat(BranchBase):
    obligations_concessions: Parameter
    obligations_par_marche: Parameter


class _Construction(BranchBase):
    biosources_bas_carbone: Parameter


class _Criteres(BranchBase):
    poids_cout_cycle_vie: Parameter
    poids_environnemental: Parameter
    poids_social: Parameter


class _Decp(BranchBase):
    seuil_publication: Parameter


class _Egalim(BranchBase):
    certification_niveau_2: Parameter
    part_bio: Parameter
    part_durable: Parameter
    part_viandes_poissons: Parameter
    part_viandes_poissons_etat: Parameter


class _Emploi(BranchBase):
    oeth_taux: Parameter


class _Estimation(BranchBase):
    duree_defaut_mois: Parameter
    marge_incertitude: Parameter


class _Insertion(BranchBase):
    cout_horaire: Parameter
    cout_horaire_bas: Parameter
    part_main_oeuvre: Parameter
    part_main_oeuvre_estimations: Parameter
    taux: Parameter
    taux_usuel_max: Parameter


class _Pnad(BranchBase):
    cible_environnementale: Parameter
    cible_sociale: Parameter
    echeance: Parameter
    seuil_mesure: Parameter


class _Procedures(BranchBase):
    dispense_publicite: _Procedures_Dispense_publicite
    innovation: Parameter
    mapa_publicite: Parameter
    petits_lots: _Procedures_Petits_lots


class _Procedures_Dispense_publicite(BranchBase):
    fournitures_services: Parameter
    general: Parameter
    travaux: Parameter


class _Procedures_Petits_lots(BranchBase):
    fournitures_services: Parameter
    part_max: Parameter
    travaux: Parameter


class _Reservation(BranchBase):
    ess_cpv_eligibles: Parameter
    ess_cpv_plage: Parameter
    ess_delai_meme_operateur_annees: Parameter
    ess_duree_max_annees: Parameter
    part_travailleurs: Parameter


class _Seuils_europeens(BranchBase):
    fournitures_services_autres: Parameter
    fournitures_services_entites_adjudicatrices: Parameter
    fournitures_services_etat: Parameter
    travaux_concessions: Parameter


class _Spaser(BranchBase):
    assiette: Parameter
    contenu: _Spaser_Contenu
    indicateurs_periodicite: Parameter
    schema_commun: Parameter
    seuil: Parameter
    tous_acheteurs: Parameter


class _Spaser_Contenu(BranchBase):
    economie_circulaire: Parameter
    indicateurs: Parameter
    indicateurs_par_acheteur: Parameter
    objectifs_cibles: Parameter
    objectifs_ecologiques: Parameter
    objectifs_sociaux: Parameter
    publication_site: Parameter
    rendu_public: Parameter
    suivi_annuel: Parameter
