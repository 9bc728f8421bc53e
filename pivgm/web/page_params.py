"""Parameters of public pages read by hand, so that a bad one gets a page that says, in the reader's
language, what is wrong and how to write it (not a generic validation page, and never silently ignored)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query
from pydantic import TypeAdapter, ValidationError

from pivgm.errors import PivgmError, in_both

PageAsOf = Annotated[str | None, Query(alias="asOf", include_in_schema=False)]
_MOMENT = TypeAdapter(datetime)


class InvalidAsOfError(PivgmError):
    """An ``asOf`` that is not a date and time."""

    status_code = 400
    code = "invalid-as-of"


def page_as_of(raw: str | None) -> datetime | None:
    """The moment a page reads the releases at, as the data API reads ``asOf`` (ISO 8601)."""
    if raw is None:
        return None
    try:
        return _MOMENT.validate_python(raw)
    except ValidationError:
        raise InvalidAsOfError(
            f"asOf {raw!r} is not a date and time: write it as 2025-06-30 or 2025-06-30T12:00:00Z (ISO 8601).",
            parameter="asOf",
            value=raw,
            **in_both(
                f"asOf {raw!r} no es una fecha y hora: escríbala como 2025-06-30 o 2025-06-30T12:00:00Z (ISO 8601).",
                f"asOf {raw!r} is not a date and time: write it as 2025-06-30 or 2025-06-30T12:00:00Z (ISO 8601).",
            ),
        ) from None
