"""Domain errors. Each carries an HTTP status and a CLI exit code; one handler per front end renders them."""

from __future__ import annotations

from typing import Any


class PivgmError(Exception):
    """Base class: a message a user can act on, plus where the problem is."""

    status_code = 400
    exit_code = 2
    code = "error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = {key: value for key, value in details.items() if value is not None}

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, **self.details}}

    def said_in(self, language: str) -> str:
        """The message in ``language`` when the error carries its texts (``messages``: es and en), else the
        message (English)."""
        texts = self.details.get("messages")
        return str(texts.get(language) or self.message) if isinstance(texts, dict) else self.message


def in_both(es: str, en: str) -> dict[str, dict[str, str]]:
    """The ``messages`` detail of an error said in Spanish and English (``message`` stays the English one)."""
    return {"messages": {"es": es, "en": en}}


class NotFoundError(PivgmError):
    """A dataflow, code, version or release that does not exist."""

    status_code = 404
    exit_code = 3
    code = "not-found"


class InvalidParameterError(PivgmError):
    """A request parameter that cannot be understood (bad period, unknown dimension...)."""

    status_code = 422
    exit_code = 2
    code = "invalid-parameter"


class StructureError(PivgmError):
    """The statistical standard (codelists, data structures) is inconsistent."""

    status_code = 500
    exit_code = 4
    code = "invalid-structure"


class SourceFormatError(PivgmError):
    """A source or submitted file cannot be read: says which file, row and column, and how to fix it."""

    status_code = 422
    exit_code = 1
    code = "invalid-file"

    def __init__(
        self,
        message: str,
        *,
        file: str,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        where = ", ".join(
            part
            for part in (
                file,
                f"row {row}" if row is not None else "",
                f"column {column!r}" if column else "",
            )
            if part
        )
        text = f"{where}: {message}" + (f" {hint}" if hint else "")
        super().__init__(text, file=file, row=row, column=column, hint=hint)


class LoadError(PivgmError):
    """A load could not complete; nothing was made visible."""

    status_code = 500
    exit_code = 5
    code = "load-failed"


class UploadLimitError(SourceFormatError):
    """A file past one of the limits on what one submission may bring: refused, not reported on."""

    status_code = 413
    code = "upload-limit"


class RowLimitError(UploadLimitError):
    """A file with more rows than one submission may bring."""

    code = "too-many-rows"


class ColumnLimitError(UploadLimitError):
    """A file with more columns than one submission may bring."""

    code = "too-many-columns"


class ExpansionLimitError(UploadLimitError):
    """A compressed file (a workbook) that would expand past what may be read: a decompression bomb."""

    code = "expands-too-much"


class AuthenticationRequiredError(PivgmError):
    """The request needs a signed-in user or a valid API token."""

    status_code = 401
    exit_code = 7
    code = "authentication-required"


class PermissionDeniedError(PivgmError):
    """The actor is known but lacks the role or the scope (provider) for this action."""

    status_code = 403
    exit_code = 7
    code = "permission-denied"
