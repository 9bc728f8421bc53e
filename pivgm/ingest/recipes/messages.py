"""What a recipe's errors and report notes say, in Spanish and English: one template per problem or note.

Like the validation rules' messages, each template says what is wrong and how to fix it; the location (the
recipe and its line) is put in front by ``RecipeError``. Templates use the names their callers pass.
"""

from __future__ import annotations

from typing import Any

from pivgm.ingest.report import Note

ERRORS: dict[str, dict[str, str]] = {
    "unreadable": {
        "es": "no se puede leer ({reason}). Guárdela como texto UTF-8 y vuelva a intentarlo.",
        "en": "cannot be read ({reason}). Save it as UTF-8 text and try again.",
    },
    "unknown-recipe": {
        "es": "no hay ninguna receta con ese nombre. Las recetas incluidas son: {names}. Dé una de ellas o la "
        "receta misma: un archivo YAML (en la API, su texto, o «saved» para la última receta guardada del "
        "proveedor).",
        "en": "there is no recipe of that name. The shipped recipes are: {names}. Give one of them or the recipe "
        "itself: a YAML file (in the API, its text, or 'saved' for the provider's latest saved recipe).",
    },
    "no-saved-recipe": {
        "es": "{provider} no tiene ninguna receta guardada para {dataflow}. Envíe la receta (su nombre o su texto "
        "YAML) o un mapeo.",
        "en": "{provider} has no saved recipe for {dataflow}. Send the recipe (its name or its YAML text) or a "
        "mapping.",
    },
    "recipe-and-mapping": {
        "es": "envíe una receta o un mapeo, no ambos (la receta contiene el mapeo).",
        "en": "give either a recipe or a mapping, not both (a recipe holds the mapping).",
    },
    "not-yaml": {
        "es": "no es YAML válido ({reason}). Revise la sangría y los dos puntos de esa línea.",
        "en": "not valid YAML ({reason}). Check the indentation and the colons on that line.",
    },
    "not-entries": {
        "es": "una receta es una lista de entradas «clave: valor». Empiécela con «recipe: 1».",
        "en": "a recipe is a set of 'key: value' entries. Start it with 'recipe: 1'.",
    },
    "unknown-key": {
        "es": "clave desconocida «{key}» en {path}. Claves permitidas: {allowed}.",
        "en": "unknown key {key!r} in {path}. Allowed keys: {allowed}.",
    },
    "one-of": {
        "es": "{path} debe tener exactamente una de {choices}.",
        "en": "{path} must have exactly one of {choices}.",
    },
    "required": {
        "es": "falta la entrada obligatoria «{name}» en {path}. Añádala.",
        "en": "{path} lacks the required entry {name!r}. Add it.",
    },
    "wrong-type": {
        "es": "{path} debe ser {kind}; es {value!r}.",
        "en": "{path} must be {kind}; it is {value!r}.",
    },
    "not-allowed-value": {
        "es": "{path}: {value!r} no está permitido; use {allowed}.",
        "en": "{path}: {value!r} is not allowed; use {allowed}.",
    },
    "too-small": {
        "es": "{path} debe ser como mínimo {limit}; es {value!r}.",
        "en": "{path} must be at least {limit}; it is {value!r}.",
    },
    "too-large": {
        "es": "{path} debe ser como máximo {limit}; es {value!r}.",
        "en": "{path} must be at most {limit}; it is {value!r}.",
    },
    "empty": {"es": "{path} no puede estar vacío.", "en": "{path} cannot be empty."},
    "wrong-form": {
        "es": "{path}: {value!r} no tiene la forma esperada (expresión regular {pattern}).",
        "en": "{path}: {value!r} does not have the expected form (regular expression {pattern}).",
    },
    "schema": {
        "es": "{path} no sigue el formato de las recetas (en inglés: {detail}). Vea docs/submissions.md.",
        "en": "{path} does not follow the recipe format ({detail}). See docs/submissions.md.",
    },
    "bad-regex": {
        "es": "{path}: {pattern!r} no es una expresión regular válida ({reason}). Escape con \\ los caracteres "
        "especiales (. ( ) [ ] * + ?) que deban leerse tal cual.",
        "en": "{path}: {pattern!r} is not a valid regular expression ({reason}). Escape with \\ the special "
        "characters (. ( ) [ ] * + ?) meant literally.",
    },
    "filter-conditions": {
        "es": "filters[{index}] necesita exactamente una condición ({conditions}); tiene {given}.",
        "en": "filters[{index}] needs exactly one condition ({conditions}); it has {given}.",
    },
    "known-needs-code": {
        "es": "filters[{index}]: «known» se aplica a códigos ya asignados: use «code:» en lugar de «column:».",
        "en": "filters[{index}]: 'known' applies to mapped codes: use 'code:' instead of 'column:'.",
    },
    "sheets-not-workbook": {
        "es": "read.sheets es para libros de cálculo y este archivo no tiene hojas. Quite read.sheets.",
        "en": "read.sheets is for workbooks; this file has no sheets. Remove read.sheets.",
    },
    "no-such-sheet": {
        "es": "read.sheets[{index}] ({entry!r}) no coincide con ninguna hoja del libro. Sus hojas son: {sheets}.",
        "en": "read.sheets[{index}] ({entry!r}) matches no sheet of the workbook. Its sheets are: {sheets}.",
    },
    "not-a-component": {
        "es": "{where}: {component!r} no es un componente de {dataflow}. Sus componentes son: {known}.",
        "en": "{where}: {component!r} is not a component of {dataflow}. Its components are: {known}.",
    },
    "pattern-without-column": {
        "es": "patterns.{component}: {component} no tiene columna en esta receta. Indíquela en columns.{component}.",
        "en": "patterns.{component}: {component} has no column in this recipe. Name it in columns.{component}.",
    },
    "other-dataflow": {
        "es": "la receta es para {recipe_flow}, no para {dataflow}. Elija {recipe_flow} o cambie «dataflow:».",
        "en": "the recipe is for {recipe_flow}, not for {dataflow}. Choose {recipe_flow} or change 'dataflow:'.",
    },
    "other-provider": {
        "es": "la receta es del proveedor {recipe_provider}, no de {provider}. Envíe como {recipe_provider} o "
        "cambie «provider:».",
        "en": "the recipe is for provider {recipe_provider}, not {provider}. Submit as {recipe_provider} or "
        "change 'provider:'.",
    },
    "code-filter-without-column": {
        "es": "filters[{index}].code: {component!r} no tiene columna ni valor fijo en esta receta. Añádalo en "
        "columns o constants.",
        "en": "filters[{index}].code: {component!r} has no column or constant in this recipe. Add it to columns "
        "or constants.",
    },
    "aggregate-without-value": {
        "es": "aggregate: la receta no indica la columna del valor. Añada columns.OBS_VALUE.",
        "en": "aggregate: the recipe gives no column for the value. Add columns.OBS_VALUE.",
    },
    "aggregate-not-number": {
        "es": "aggregate: {text!r} (fila {row}) no es un número que se pueda sumar. Corrija la celda o márquela "
        "como dato faltante en «missing».",
        "en": "aggregate: {text!r} (row {row}) is not a number to add up. Correct the cell or list it as a "
        "missing marker in 'missing'.",
    },
    "no-such-column": {
        "es": "{column!r} no es una columna de la tabla. Las columnas de la tabla son: {columns}.",
        "en": "{column!r} is not a column of the table. The table's columns are: {columns}.",
    },
    "unpivot-chooses-nothing": {
        "es": "unpivot.columns no elige ninguna columna de la tabla. Revise from, to, pattern y except.",
        "en": "unpivot.columns chooses no column of the table. Check its from, to, pattern and except.",
    },
    "unpivot-depth": {
        "es": "unpivot.into nombra {named} niveles de encabezado; las columnas elegidas tienen {depth}. Nombre "
        "como máximo {depth} (o suba read.header_rows).",
        "en": "unpivot.into names {named} header levels; the chosen columns have {depth}. Name at most {depth} "
        "(or raise read.header_rows).",
    },
    "not-a-number": {
        "es": "no se puede calcular: {text!r} en la columna {column!r} (fila {row}) no es un número. Corrija la "
        "celda o márquela como dato faltante en «missing».",
        "en": "cannot compute: {text!r} in column {column!r} (row {row}) is not a number. Correct the cell or "
        "list it as a missing marker in 'missing'.",
    },
}

NOTES: dict[str, dict[str, str]] = {
    "applied": {"es": "Se aplicó la receta «{name}»{title}.", "en": "Recipe {name!r}{title} applied."},
    "column": {"es": "receta: {component} <- columna «{column}».", "en": "recipe: {component} <- column {column!r}."},
    "constant": {
        "es": "receta: {component} = «{value}» en todas las filas.",
        "en": "recipe: {component} = {value!r} on every row.",
    },
    "end": {
        "es": "read.end: la tabla termina antes de la fila {row} ({cell!r}).",
        "en": "read.end: the table ends before row {row} ({cell!r}).",
    },
    "sheets": {
        "es": "read.sheets: se combinaron {count} hojas ({names}).",
        "en": "read.sheets: {count} sheets combined ({names}).",
    },
    "patterns": {
        "es": "patterns.{component}: {found:,} de {labels:,} etiquetas recibieron un código por un patrón.",
        "en": "patterns.{component}: {found:,} of {labels:,} labels given a code by a pattern.",
    },
    "code-filter": {
        "es": "filters[{index}] sobre los códigos de {component} conservó {kept:,} de {before:,} filas.",
        "en": "filters[{index}] on {component} codes kept {kept:,} of {before:,} rows.",
    },
    "column-filter": {
        "es": "filters[{index}] sobre «{column}» conservó {kept:,} de {before:,} filas.",
        "en": "filters[{index}] on {column!r} kept {kept:,} of {before:,} rows.",
    },
    "aggregate": {
        "es": "aggregate: {rows:,} filas sumadas en {observations:,} observaciones.",
        "en": "aggregate: {rows:,} rows added up into {observations:,} observations.",
    },
    "periods": {
        "es": "period: {count:,} etiqueta(s) leídas como periodos {format} de {columns}.",
        "en": "period: {count:,} label(s) read as {format} periods from {columns}.",
    },
    "periods-unread": {
        "es": "period: {count:,} etiqueta(s) sin leer, p. ej. {example!r}.",
        "en": "period: {count:,} label(s) not read, e.g. {example!r}.",
    },
    "partial-year": {
        "es": "period: se dejaron fuera {rows:,} fila(s) de años fiscales incompletos ({labels}): el acumulado "
        "del año en curso no es el total del año fiscal. Publíquelo por meses.",
        "en": "period: {rows:,} row(s) of incomplete fiscal years left out ({labels}): a year-to-date figure "
        "is not the fiscal year's total. Publish it by month.",
    },
}


class Both(dict[str, str]):
    """A field of a message that is said differently in each language: ``Both(es=..., en=...)``."""


def _filled(template: str, language: str, fields: dict[str, Any]) -> str:
    return template.format(**{k: v[language] if isinstance(v, Both) else v for k, v in fields.items()})


def error_texts(problem: str, fields: dict[str, Any]) -> dict[str, str]:
    """The Spanish and English texts of error ``problem`` with ``fields`` filled in."""
    return {language: _filled(template, language, fields) for language, template in ERRORS[problem].items()}


def note(key: str, **fields: Any) -> Note:
    """A bilingual report note."""
    texts = NOTES[key]
    return Note(texts["en"].format(**fields), texts["es"].format(**fields))
