"""Full-text search over the dataflows' metadata, in Spanish and English at once, ignoring accents and case
("migracion" finds "migración", "Darien" finds "Darién"), with word prefixes ("migra" finds both)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pivgm.model import Code, Dataflow, LocalizedText

STOP_WORDS = frozenset(
    {"a", "al", "and", "by", "de", "del", "el", "en", "for", "from", "in", "la", "las", "los", "of", "on", "or"}
    | {"para", "por", "the", "to", "un", "una", "y"}
)
WORD = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    """Lower case without accents: ``Darién`` -> ``darien``, ``Migración`` -> ``migracion``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    return WORD.findall(normalise(text))


def query_words(query: str) -> list[str]:
    return [w for w in words(query) if w not in STOP_WORDS]


def _texts(*values: LocalizedText) -> str:
    return " ".join(text for value in values for text in value.texts.values())


@dataclass(frozen=True)
class Document:
    """A searchable item: its words by weight (title words count more than methodology words), and how many
    words its title has (of two equal matches, the shorter title is the closer one: "Remesas" before
    "Remesas como porcentaje del PIB")."""

    id: str
    fields: tuple[tuple[int, frozenset[str]], ...]
    title_words: int = 0

    def score(self, wanted: Sequence[str]) -> int:
        """Sum over query words of the heaviest field holding a word that starts with it; 0 unless every
        query word is found."""
        total = 0
        for word in wanted:
            best = max((weight for weight, found in self.fields if any(w.startswith(word) for w in found)), default=0)
            if not best:
                return 0
            total += best
        return total


def dataflow_document(dataflow: Dataflow, places: Sequence[LocalizedText] = ()) -> Document:
    """A dataflow's words: name, keywords, description, dimensions, reference metadata and, with ``places``,
    the names of the countries it covers (so "asilo México" finds asylum data that include Mexico)."""
    metadata = dataflow.metadata
    structure = dataflow.structure
    about = (metadata.definition, metadata.coverage, metadata.source, metadata.methodology, metadata.comparability)
    weighted = (
        (6, _texts(dataflow.name) + " " + dataflow.id),
        (4, _texts(metadata.keywords)),
        (3, _texts(dataflow.description)),
        (2, _texts(*(d.name for d in structure.dimensions))),
        (1, _texts(*about, *places)),
    )
    fields = tuple((weight, frozenset(words(text))) for weight, text in weighted)
    return Document(dataflow.id, fields, len(words(_texts(dataflow.name))))


def code_document(code: Code) -> Document:
    return Document(code.id, ((5, frozenset(words(_texts(code.name) + " " + code.id))),))


def rank(documents: Iterable[Document], query: str) -> list[tuple[str, int]]:
    """Matching document ids, best first, the shorter title first among equals (then the documents' order)."""
    wanted = query_words(query)
    if not wanted:
        return []
    scored = [(document.id, document.score(wanted), document.title_words) for document in documents]
    return [(i, s) for i, s, _ in sorted((item for item in scored if item[1]), key=lambda item: (-item[1], item[2]))]
