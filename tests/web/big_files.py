"""Files and an upload for tests of hostile uploads over HTTP: a large valid CSV written line by line and a
CSV of a million columns."""

from __future__ import annotations

from itertools import product
from pathlib import Path

import httpx

from pivgm.structures import load_standard

MAPPING = (
    '{"columns": {"CITIZENSHIP": "Nacionalidad", "COUNTERPART_AREA": "Destino", "SEX": "Sexo", "AGE": "Edad", '
    '"RETURN_TYPE": "Tipo", "TIME_PERIOD": "Mes", "OBS_VALUE": "Eventos"}, '
    '"values": {"SEX": {"Hombres": "M", "Mujeres": "F"}}, '
    '"constants": {"FREQ": "M", "REF_AREA": "MEX", "RETURN_DIRECTION": "EXEC", "ACCOMPANIMENT": "_T", '
    '"UNIT_MEASURE": "EVENTS"}}'
)


def returns_file(path: Path, size: int) -> int:
    """A valid monthly returns file of Mexico (unique keys, decimal commas) of just under ``size`` bytes,
    written line by line; answers its number of data rows."""
    areas = sorted(c for c in load_standard().codelist("CL_AREA").ids() if len(c) == 3 and c.isalpha())
    ages = ["Y_GE18", "Y_LT18", "Y12T17", "Y_LT12", "_T"]
    months = [f"{y}-{m:02d}" for y in range(1990, 2026) for m in range(1, 13)]
    header = b"Nacionalidad;Destino;Sexo;Edad;Tipo;Mes;Eventos\n"
    keys = product(areas, areas, ("Hombres", "Mujeres"), ages, ("DEP", "AVR", "AVR_CHILD", "_T"), months)
    written, rows = len(header), 0
    with path.open("wb") as out:
        out.write(header)
        block: list[bytes] = []
        for nationality, destination, sex, age, kind, month in keys:
            line = f"{nationality};{destination};{sex};{age};{kind};{month};{rows % 4999 + 1},5\n".encode()
            if written + len(line) > size:
                break
            block.append(line)
            written += len(line)
            rows += 1
            if len(block) == 100_000:
                out.write(b"".join(block))
                block = []
        out.write(b"".join(block))
    return rows


def wide_file(columns: int = 10**6) -> bytes:
    return (";".join(f"c{i}" for i in range(columns)) + "\n" + ";".join("1" * columns) + "\n").encode()


def upload(base: str, headers: dict[str, str], name: str, content: bytes | Path, **fields: str) -> httpx.Response:
    data = {"dataflow": "DF_RETURNS", "provider": "MX_UPM", **fields}
    with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
        if isinstance(content, Path):
            with content.open("rb") as stream:
                return client.post("/api/submissions", data=data, files={"file": (name, stream, "text/csv")})
        return client.post("/api/submissions", data=data, files={"file": (name, content, "text/csv")})
