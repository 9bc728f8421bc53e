"""Copy the subset of the public sources that the demo needs into the package.

Run from the project root with the shared data folder as argument:

    python scripts/vendor_sources.py ../shared/data

Rows are kept whole (values unchanged, only re-quoted by the csv module) when the reporting or the
counterpart country is in the Americas (UN M49 region "Americas"). Files are written gzip-compressed with a
fixed timestamp so that re-running the script gives identical bytes.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

import yaml

TARGET = Path(__file__).resolve().parent.parent / "pivgm" / "sources" / "vendored"

RowFilter = Callable[[dict[str, str]], bool]


def americas_codes(shared: Path) -> set[str]:
    """ISO3 codes of the UN M49 region "Americas", from IOM's country dictionary."""
    with open(shared / "country_boundaries" / "iom_gdi_countrynames.csv", encoding="utf-8", newline="") as f:
        return {row["iso3"] for row in csv.DictReader(f) if row["region"] == "Americas"}


def any_column_in(columns: Iterable[str], codes: set[str]) -> RowFilter:
    wanted = tuple(columns)
    return lambda row: any(row.get(c) in codes for c in wanted)


def keep_all(row: dict[str, str]) -> bool:
    return True


def opener(source: Path) -> IO[str]:
    """Plain or gzip-compressed CSV text."""
    if source.suffix == ".gz":
        return gzip.open(source, "rt", encoding="utf-8", newline="")
    return open(source, encoding="utf-8", newline="")


def vendor(source: Path, keep: RowFilter, name: str | None = None) -> tuple[str, int, int]:
    """Write the kept rows of ``source`` as ``<name>.gz``; return (name, rows read, rows kept)."""
    out_name = (name or source.name) + ".gz"
    buffer = io.StringIO()
    read = kept = 0
    with opener(source) as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames is not None
        writer = csv.DictWriter(buffer, fieldnames=reader.fieldnames, lineterminator="\n")
        writer.writeheader()
        for row in reader:
            read += 1
            if keep(row):
                kept += 1
                writer.writerow(row)
    with (
        open(TARGET / out_name, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz,
    ):
        gz.write(buffer.getvalue().encode("utf-8"))
    return out_name, read, kept


def main(shared: Path) -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    americas = americas_codes(shared)
    central_american_routes = {"Central American Route", "South American Route"}
    jobs: list[tuple[Path, RowFilter]] = [
        (
            shared / "undesa_migrant_stock/ims2024_stock_by_origin_destination_sex.csv",
            any_column_in(["geo", "from"], americas),
        ),
        (shared / "unhcr_refugee_statistics/population.csv", any_column_in(["coo_iso", "coa_iso"], americas)),
        (shared / "unhcr_refugee_statistics/asylum_applications_americas.csv", keep_all),
        (shared / "unhcr_refugee_statistics/asylum_decisions_americas.csv", keep_all),
        (shared / "us_cbp_encounters/cbp_swb_encounters_by_nationality_fy2018-2025.csv", keep_all),
        (
            shared / "iom_missing_migrants/mmp_2014-2025-04_iom_gdidata.csv",
            lambda row: row["geo"] in americas or row["route"] in central_american_routes,
        ),
        (
            shared / "population_remittances/worldbank_population_SP.POP.TOTL.csv",
            any_column_in(["Country Code"], americas),
        ),
        (shared / "population_remittances/wdi_wpp_indicators.csv", any_column_in(["geo"], americas)),
    ]
    jobs += [(path, keep_all) for path in sorted((shared / "regional_irregular_flows").glob("irreg_*.csv"))]
    jobs += [(path, keep_all) for path in sorted((shared / "mexico_banxico_remittances").glob("remesas_*.csv"))]
    for path, keep in jobs:
        name, read, kept = vendor(path, keep)
        print(f"{name}: {kept:,} of {read:,} rows")
    vendor_acs(shared / "acs_foreign_born_profiles")


def vendor_acs(folder: Path) -> None:
    """ACS S0201: each year's legend whole, and the rows of the population groups the importer reads; S0506
    2018 (national and by state) and its legend whole."""
    with open(TARGET.parent / "us_census_acs_labels.yaml", encoding="utf-8") as f:
        groups = set(yaml.safe_load(f)["groups"])
    for year in range(2009, 2019):
        legend = folder / f"legend_S0201_{year}.csv.gz"
        name, read, kept = vendor(legend, keep_all, f"acs_s0201_legend_{year}.csv")
        print(f"{name}: {kept:,} of {read:,} rows")
        in_groups = any_column_in(["POPGROUP_LABEL", "POPGROUP_TTL"], groups)
        name, read, kept = vendor(folder / f"us_S0201_{year}.csv.gz", in_groups, f"acs_s0201_{year}.csv")
        print(f"{name}: {kept:,} of {read:,} rows")
    for source, target in [
        ("legend_2018", "acs_s0506_legend_2018"),
        ("us_S0506_2018", "acs_s0506_2018"),
        ("state_S0506_2018", "acs_s0506_state_2018"),
    ]:
        name, read, kept = vendor(folder / f"{source}.csv.gz", keep_all, f"{target}.csv")
        print(f"{name}: {kept:,} of {read:,} rows")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
