"""Submissions with recipes and mappings: label matching under a complete mapping, content constraints,
saved recipes reused."""

from __future__ import annotations

from pivgm.ingest.mapping import Mapping
from pivgm.ingest.recipes import parse_recipe
from pivgm.workflow.submissions import SubmissionRequest, check_file, submit

STOCK = "Destino,Origen,Sexo,Año,Personas\nCosta Rica,Mexico,Hombres,2020,10\nCosta Rica,Nicaragua,Mujeres,2020,20\n"


def request(content: str, flow: str, provider: str, **extra) -> SubmissionRequest:
    return SubmissionRequest(
        provider_id=provider, dataflow_id=flow, file_name="data.csv", content=content.encode(), **extra
    )


def test_a_complete_mapping_still_matches_country_names(empty_platform):
    """Regression: a mapping that places every column but maps only SEX labels still reads "Mexico" as MEX.
    Fails if ``with_label_matching`` is removed from ``_mapping_for`` ('Mexico' is not a code of CL_AREA)."""
    mapping = Mapping(
        columns={
            "REF_AREA": "Destino",
            "COUNTERPART_AREA": "Origen",
            "SEX": "Sexo",
            "TIME_PERIOD": "Año",
            "OBS_VALUE": "Personas",
        },
        values={"SEX": {"Hombres": "M", "Mujeres": "F"}},
        constants={"FREQ": "A"},
    )
    checked = check_file(empty_platform, request(STOCK, "DF_MIG_STOCK", "CR_DGME", mapping=mapping, load=False))
    assert checked.report.valid, checked.report.flatten(["row", "column", "type"])
    assert checked.outcome is not None and checked.outcome.observations is not None
    assert sorted(checked.outcome.observations.column("COUNTERPART_AREA").to_pylist()) == ["MEX", "NIC"]


ENCOUNTERS = "País,Mes,Encuentros\nMexico,2024-01,5\n"
ENCOUNTERS_RECIPE = """recipe: 1
period: {column: Mes}
columns: {CITIZENSHIP: País, OBS_VALUE: Encuentros}
constants: {FREQ: M, REF_AREA: MEX, BORDER_COMPONENT: _T, BORDER_AREA: _T, LEGAL_AUTHORITY: _T,
            ENCOUNTER_TYPE: _T, BORDER_DEMOGRAPHIC: _T}
"""


def test_a_dataflows_content_constraint_is_enforced_for_any_provider(empty_platform):
    """DF_BORDER_ENCOUNTERS holds the United States' southwest border only: an international provider
    (allowed every area) still cannot put Mexico as the reporting country. Fails if ``_allowed`` ignores
    ``dataflow.constraints``."""
    recipe = parse_recipe(ENCOUNTERS_RECIPE)
    checked = check_file(empty_platform, request(ENCOUNTERS, "DF_BORDER_ENCOUNTERS", "IOM_MMP", recipe=recipe))
    assert checked.report.flatten(["row", "type"]) == [[2, "code-not-allowed"]]
    usa = parse_recipe(ENCOUNTERS_RECIPE.replace("REF_AREA: MEX", "REF_AREA: USA"))
    assert check_file(empty_platform, request(ENCOUNTERS, "DF_BORDER_ENCOUNTERS", "IOM_MMP", recipe=usa)).report.valid


def test_a_valid_submissions_recipe_is_saved_and_reused(empty_platform):
    """The next file of the provider, sent without a mapping, is read with the saved recipe."""
    recipe = parse_recipe(ENCOUNTERS_RECIPE.replace("REF_AREA: MEX", "REF_AREA: USA"), "cbp.yaml")
    first = submit(empty_platform, request(ENCOUNTERS, "DF_BORDER_ENCOUNTERS", "US_CBP", recipe=recipe))
    assert first.report.valid and first.version is not None
    later = "País,Mes,Encuentros\nGuatemala,2024-02,7\n"
    checked = check_file(empty_platform, request(later, "DF_BORDER_ENCOUNTERS", "US_CBP"))
    assert checked.report.valid
    assert checked.recipe is not None and checked.recipe.data["period"] == {"column": "Mes"}
    assert any(note.startswith("Recipe 'saved recipe 1 of US_CBP") for note in checked.report.notes)


def test_a_file_with_several_count_columns_asks_which_is_the_value(empty_platform):
    """Without a mapping, a file whose value could be any of several count columns is not loaded with a
    guess: the value is reported missing and the report names the candidates. Fails if the suggestion
    guesses (``_ambiguous`` removed) and loads "Number of Survivors"."""
    content = "País,Año,Number Dead,Number of Survivors\nMexico,2019,3,10\nGuatemala,2019,1,4\n"
    checked = check_file(empty_platform, request(content, "DF_MISSING_MIGRANTS", "IOM_MMP"))
    assert not checked.report.valid
    assert "missing-column" in checked.report.rules
    asks = [note for note in checked.report.notes if note.startswith("Several columns could be OBS_VALUE")]
    assert len(asks) == 1 and "'Number Dead'" in asks[0] and "'Number of Survivors'" in asks[0]
    spanish = asks[0].text("es")
    assert spanish.startswith("Varias columnas podrían ser OBS_VALUE: ") and "«Number Dead»" in spanish


REGIONS = (
    "Land Border Region,Mes,País,Encuentros\n"
    "Southwest Land Border,2024-01,Mexico,5\n"
    "Nationwide Total,2024-01,Mexico,9\n"
)
REGIONS_RECIPE = """recipe: 1
period: {column: Mes}
columns: {CITIZENSHIP: País, BORDER_AREA: Land Border Region, OBS_VALUE: Encuentros}
values:
  BORDER_AREA: {Southwest Land Border: _T, Nationwide Total: NATIONWIDE}
constants: {FREQ: M, REF_AREA: USA, BORDER_COMPONENT: _T, LEGAL_AUTHORITY: _T, ENCOUNTER_TYPE: _T,
            BORDER_DEMOGRAPHIC: _T}
"""


def test_a_nationwide_total_is_told_apart_from_the_southwest_border_total(empty_platform):
    """A file with the southwest border and the nationwide total: the nationwide row has its own code,
    NATIONWIDE, which the southwest-border flow refuses (es/en) instead of storing it as the total _T; a
    filter on the code loads the southwest border only. Fails if BORDER_AREA's constraint is dropped (the
    nationwide figure would be published in the southwest-border flow)."""
    refused = check_file(
        empty_platform, request(REGIONS, "DF_BORDER_ENCOUNTERS", "US_CBP", recipe=parse_recipe(REGIONS_RECIPE))
    )
    assert refused.report.flatten(["row", "column", "value", "type"]) == [
        [3, "Land Border Region", "NATIONWIDE", "code-not-allowed"]
    ]
    (issue,) = refused.report.issues()
    assert "no se permite" in issue.message_es and "not allowed" in issue.message_en
    kept = REGIONS_RECIPE + "filters:\n  - {code: BORDER_AREA, not: {equals: NATIONWIDE}}\n"
    loaded = check_file(empty_platform, request(REGIONS, "DF_BORDER_ENCOUNTERS", "US_CBP", recipe=parse_recipe(kept)))
    assert loaded.report.valid, loaded.report.flatten(["row", "type"])
    assert loaded.outcome is not None and loaded.outcome.observations is not None
    observations = loaded.outcome.observations
    assert observations.column("BORDER_AREA").to_pylist() == ["_T"]
    assert observations.column("OBS_VALUE").to_pylist() == [5]


def test_the_reports_notes_on_rows_not_loaded_are_in_both_languages(empty_platform):
    recipe = parse_recipe(ENCOUNTERS_RECIPE.replace("REF_AREA: MEX", "REF_AREA: USA"))
    content = "País,Mes,Encuentros\nMexico,2024-01,5\nGuatemala,2024-01,..\n"
    checked = check_file(empty_platform, request(content, "DF_BORDER_ENCOUNTERS", "US_CBP", recipe=recipe))
    (note,) = [note for note in checked.report.notes if "without a value" in note]
    assert note == "1 row(s) without a value ('..', '-', empty) were not loaded."
    assert note.text("es") == "1 fila(s) sin valor («..», «-», vacías) no se cargaron."
