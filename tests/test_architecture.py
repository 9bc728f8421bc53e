"""The layering holds: SQL only in records/ and warehouse/, the model free of I/O, the web free of SQL."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pivgm"
SQL_PACKAGES = {"records", "warehouse"}
SQL_LIBRARIES = {"duckdb", "sqlalchemy", "sqlite3", "psycopg", "alembic"}
SQL_TEXT = re.compile(r"\b(SELECT\b[\s\S]+\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE)\b")


def modules_outside_sql_packages() -> list[Path]:
    return [path for path in sorted(PACKAGE.rglob("*.py")) if path.relative_to(PACKAGE).parts[0] not in SQL_PACKAGES]


def imported_modules(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", modules_outside_sql_packages(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_sql_outside_records_and_warehouse(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert not (imported_modules(tree) & SQL_LIBRARIES), "database libraries belong in records/ or warehouse/"
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            assert not SQL_TEXT.search(node.value), f"SQL text at line {node.lineno}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "model").rglob("*.py")), ids=lambda p: p.name)
def test_the_model_does_no_io_and_imports_nothing_of_the_platform_but_errors(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed = {"pivgm"}  # pivgm.model itself and pivgm.errors
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pivgm."):
            assert node.module.startswith(("pivgm.model", "pivgm.errors")), node.module
    assert imported_modules(tree) <= {
        "__future__",
        "calendar",
        "collections",
        "dataclasses",
        "datetime",
        "enum",
        "re",
        "types",
        "typing",
        *allowed,
    }


def test_the_web_layer_reaches_data_only_through_services():
    for path in sorted((PACKAGE / "web").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("pivgm.records", "pivgm.warehouse")) or (
                    node.module == "pivgm.records" and {a.name for a in node.names} <= {"ReleaseInfo"}
                ), f"{path.name} imports {node.module}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "microdata").rglob("*.py")), ids=lambda p: p.name)
def test_microdata_reads_records_with_the_model_and_the_label_matchers_only(path):
    """Records never reach the records database, the warehouse or the web: the package writes a submission."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pivgm."):
            assert node.module.startswith(("pivgm.microdata", "pivgm.model", "pivgm.errors", "pivgm.ingest.labels"))


PUBLIC_SIDE = sorted(
    path
    for package in ("catalog", "sdmx")
    for path in (PACKAGE / package).rglob("*.py")
    if path != PACKAGE / "catalog" / "published.py"
)
"""The public read side: catalog, explorer, public JSON and SDMX answers; ``catalog/published.py`` is its door."""
SUPPLY_SIDE = ("pivgm.platform", "pivgm.records", "pivgm.workflow", "pivgm.accounts", "pivgm.warehouse.files")
STORES = {"records", "warehouse", "_platform", "submissions"}


@pytest.mark.parametrize("path", PUBLIC_SIDE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_public_side_reads_published_releases_only_through_its_door(path):
    """Fails if a public-side module imports the platform, the records, the review workflow, the accounts or the
    warehouse's file store, or reaches for a store by attribute (``x.records``, ``x._platform``): then it could
    open an unpublished version. Checked once red by importing ``pivgm.platform`` in catalog/service.py."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
            assert not any(n.startswith(SUPPLY_SIDE) for n in names), f"imports {node.module} at line {node.lineno}"
            assert not (node.module == "pivgm.warehouse" and {a.name for a in node.names} & {"Warehouse"})
        elif isinstance(node, ast.Import):
            assert not any(alias.name.startswith(SUPPLY_SIDE) for alias in node.names), f"line {node.lineno}"
        elif isinstance(node, ast.Attribute):
            assert node.attr not in STORES, f"reaches .{node.attr} at line {node.lineno}"
