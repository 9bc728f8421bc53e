"""Writes the binary specimens (Windows-1252 and UTF-16 text, small workbooks) of this folder.

Run from the repository root: ``python tests/ingest/specimens/generate.py``. The files are committed; this
script documents how they were made.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment

HERE = Path(__file__).resolve().parent

CP1252_TABLE = """Servicio Nacional de Migración
Cuadro 5. Extranjeros en tránsito según nacionalidad, año 2023

Nacionalidad;Cantidad
República Dominicana;1.250
Perú;300
Haití;45
Total;1.595

Fuente: SNM, datos preliminares.
"""

UTF16_TABLE = "Nacionalidad\tMes\tPersonas\nGuatemala\tEne-2024\t10\nHonduras\tEne-2024\t20\n"


def _workbook() -> openpyxl.Workbook:
    """Two sheets: an empty cover, and a table with titles, a merged two-level header, section headings,
    indented labels, monthly date cells and footnotes."""
    book = openpyxl.Workbook()
    cover = book.active
    cover.title = "Portada"
    sheet = book.create_sheet("Datos")
    sheet["A1"] = "Instituto Nacional de Migración"
    sheet["A2"] = "Cuadro 1. Eventos de personas en situación migratoria irregular"
    sheet.merge_cells("A1:E1")
    sheet.merge_cells("A2:E2")
    sheet["A4"] = "Nacionalidad"
    sheet.merge_cells("A4:A5")
    sheet["B4"] = datetime(2024, 1, 1)
    sheet["B4"].number_format = "mmm-yy"
    sheet.merge_cells("B4:C4")
    sheet["D4"] = datetime(2024, 2, 1)
    sheet["D4"].number_format = "mmm-yy"
    sheet.merge_cells("D4:E4")
    for column, label in zip("BCDE", ["Hombres", "Mujeres", "Hombres", "Mujeres"], strict=True):
        sheet[f"{column}5"] = label
    rows = [
        ("Centroamérica", None, None, None, None, 0),
        ("Guatemala", 100, 80, 110, 90, 1),
        ("Honduras", 200, 150, 210, 160, 1),
        ("Sudamérica", None, None, None, None, 0),
        ("Venezuela", 1000, 900, 1100, 950.5, 1),
    ]
    for offset, (label, *values, indent) in enumerate(rows):
        row = 6 + offset
        sheet.cell(row, 1, label).alignment = Alignment(indent=indent)
        for column, value in enumerate(values, start=2):
            sheet.cell(row, column, value)
    sheet["A12"] = "Fuente: INM, con base en registros administrativos."
    sheet["A13"] = "Nota: cifras preliminares."
    return book


def main() -> None:
    (HERE / "csv" / "cp1252-titles-footnotes.csv").write_bytes(CP1252_TABLE.encode("cp1252"))
    (HERE / "csv" / "excel-unicode-text.txt").write_bytes(UTF16_TABLE.encode("utf-16"))
    _workbook().save(HERE / "xlsx" / "sections-merged-dates.xlsx")


if __name__ == "__main__":
    main()
