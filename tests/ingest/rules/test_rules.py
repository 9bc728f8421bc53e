"""One small national-layout file per rule: the rule fires on the first and stays quiet on the second.

Files are `;`-separated with Spanish headers, as national offices export them; the mapping is the one a
focal point would confirm.
"""

from __future__ import annotations

import pytest

from pivgm.ingest.mapping import Mapping
from pivgm.ingest.report import Severity
from pivgm.workflow.submissions import SubmissionRequest, check_file

STOCK_MAPPING = Mapping(
    columns={
        "REF_AREA": "Destino",
        "COUNTERPART_AREA": "Origen",
        "SEX": "Sexo",
        "TIME_PERIOD": "Año",
        "OBS_VALUE": "Personas",
    },
    values={"SEX": {"Hombres": "M", "Mujeres": "F", "Total": "_T"}},
    constants={"FREQ": "A"},
)
HEADER = "Destino;Origen;Sexo;Año;Personas\n"
GOOD = HEADER + "MEX;GTM;Hombres;2020;10\nMEX;GTM;Mujeres;2020;20\nMEX;GTM;Total;2020;30\n"


def series(values: list[str], years: list[int] | None = None) -> str:
    years = years or list(range(2010, 2010 + len(values)))
    return HEADER + "".join(f"MEX;HND;Total;{y};{v}\n" for y, v in zip(years, values, strict=True))


TRANSIT_MAPPING = Mapping(
    columns={"CITIZENSHIP": "Nacionalidad", "TIME_PERIOD": "Mes", "OBS_VALUE": "Eventos"},
    constants={"FREQ": "M", "REF_AREA": "MEX", "SEX": "_T", "AGE": "_T", "ACCOMPANIMENT": "_T"},
)
TRANSIT = "Nacionalidad;Mes;Eventos\nVEN;2024-01;100\nHND;2024-01;50\n"

# rule id, dataflow, mapping, file that triggers the rule (row, column of the first issue), file that passes
CASES = [
    (
        "missing-column",
        "DF_MIG_STOCK",
        STOCK_MAPPING,
        "Destino;Origen;Sexo;Año\nMEX;GTM;Total;2020\n",
        (1, "OBS_VALUE"),
        GOOD,
    ),
    (
        "empty-value",
        "DF_MIG_STOCK",
        STOCK_MAPPING,
        HEADER + "MEX;GTM;Total;2020;30\nMEX;;Total;2021;31\n",
        (3, "Origen"),
        GOOD,
    ),
    (
        "invalid-number",
        "DF_MIG_STOCK",
        STOCK_MAPPING,
        HEADER + "MEX;GTM;Total;2020;treinta\n",
        (2, "Personas"),
        HEADER + "MEX;GTM;Total;2020;1.234\nMEX;GTM;Total;2021;..\n",
    ),
    (
        "code-not-in-codelist",
        "DF_MIG_STOCK",
        STOCK_MAPPING,
        HEADER + "MEX;GTM;Total;2020;30\nMEX;GTX;Total;2020;3\n",
        (3, "Origen"),
        GOOD,
    ),
    (
        "code-not-allowed",
        "DF_MIG_STOCK",
        STOCK_MAPPING,
        HEADER + "GTM;MEX;Total;2020;30\n",
        (2, "Destino"),
        GOOD,
    ),
    (
        "invalid-period",
        "DF_MIG_STOCK",
        STOCK_MAPPING,
        HEADER + "MEX;GTM;Total;2020-07;30\n",
        (2, "Año"),
        GOOD,
    ),
    (
        "duplicate-key",
        "DF_MIG_STOCK",
        STOCK_MAPPING,
        HEADER + "MEX;GTM;Total;2020;30\nMEX;GTM;Total;2020;30\n",
        (3, None),
        GOOD,
    ),
    (
        "missing-mandatory-attribute",
        "DF_IRREGULAR_TRANSIT",
        TRANSIT_MAPPING,
        TRANSIT,
        (1, "UNIT_MEASURE"),
        None,
    ),
    (
        "negative-count",
        "DF_MIG_STOCK",
        STOCK_MAPPING,
        HEADER + "MEX;GTM;Total;2020;-30\n",
        (2, "Personas"),
        GOOD,
    ),
    (
        "total-mismatch",
        "DF_MIG_STOCK",
        STOCK_MAPPING,
        HEADER + "MEX;GTM;Hombres;2020;10\nMEX;GTM;Mujeres;2020;20\nMEX;GTM;Total;2020;31\n",
        (4, "Sexo"),
        GOOD,
    ),
    (
        "outlier",
        "DF_MIG_STOCK",
        STOCK_MAPPING,
        series(["100", "104", "98", "101", "99", "103", "2500"]),
        (8, "Personas"),
        series(["100", "104", "98", "101", "99", "103", "102"]),
    ),
    (
        "series-break",
        "DF_MIG_STOCK",
        STOCK_MAPPING,
        series(["100", "104", "1200"]),
        (4, "Personas"),
        series(["100", "104", "150"]),
    ),
    (
        "missing-period",
        "DF_MIG_STOCK",
        STOCK_MAPPING,
        series(["100", "104", "98"], [2015, 2016, 2018]),
        (2, "Año"),
        series(["100", "104", "98"], [2015, 2016, 2017]),
    ),
]


def check(platform, dataflow, mapping, text, provider="MX_UPM"):
    request = SubmissionRequest(
        provider_id=provider,
        dataflow_id=dataflow,
        file_name="envio.csv",
        content=text.encode("utf-8"),
        mapping=mapping,
        load=False,
    )
    return check_file(platform, request).report


@pytest.mark.parametrize(
    ("rule", "dataflow", "mapping", "triggers", "where", "passes"), CASES, ids=[c[0] for c in CASES]
)
def test_each_rule_fires_where_it_should_and_only_there(
    empty_platform, rule, dataflow, mapping, triggers, where, passes
):
    report = check(empty_platform, dataflow, mapping, triggers)
    assert rule in report.rules, report.to_dict()
    first = report.rules[rule].issues[0]
    assert (first.row, first.column) == where
    assert first.message_es and first.message_en and first.message_es != first.message_en
    if passes is not None:
        assert rule not in check(empty_platform, dataflow, mapping, passes).rules


def test_errors_block_and_warnings_only_inform(empty_platform):
    warning_only = check(empty_platform, "DF_MIG_STOCK", STOCK_MAPPING, series(["100", "104", "1200"]))
    assert warning_only.valid and warning_only.warning_count == 1
    assert warning_only.rules["series-break"].severity is Severity.WARNING
    error = check(empty_platform, "DF_MIG_STOCK", STOCK_MAPPING, HEADER + "MEX;GTM;Total;2020;-30\n")
    assert not error.valid


def test_unknown_codes_come_with_the_closest_valid_codes_as_a_hint(empty_platform):
    report = check(empty_platform, "DF_MIG_STOCK", STOCK_MAPPING, HEADER + "MEX;Guatemal;Total;2020;3\n")
    issue = report.rules["code-not-in-codelist"].issues[0]
    assert "GTM" in issue.message_en and "GTM" in issue.message_es


def test_messages_are_in_spanish_and_english(empty_platform):
    report = check(empty_platform, "DF_MIG_STOCK", STOCK_MAPPING, HEADER + "MEX;GTM;Total;2020;treinta\n")
    issue = report.rules["invalid-number"].issues[0]
    assert "no es un número" in issue.message_es
    assert "is not a number" in issue.message_en


def test_a_huge_number_of_issues_is_capped_but_counted_exactly(empty_platform):
    text = HEADER + "".join(f"MEX;GTM;Total;{1000 + i};x{i}\n" for i in range(250))
    report = check(empty_platform, "DF_MIG_STOCK", STOCK_MAPPING, text)
    assert report.rules["invalid-number"].count == 250
    assert len(report.rules["invalid-number"].issues) == 100


def test_flatten_gives_compact_rows_for_assertions(empty_platform):
    report = check(
        empty_platform,
        "DF_MIG_STOCK",
        STOCK_MAPPING,
        HEADER + "MEX;GTM;Total;2020;treinta\nGTM;GTM;Total;2021;5\n",
    )
    assert report.flatten(["row", "column", "type"]) == [
        [2, "Personas", "invalid-number"],
        [3, "Destino", "code-not-allowed"],
    ]
