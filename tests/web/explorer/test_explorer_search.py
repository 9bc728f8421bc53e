"""Search ignores accents and case and matches word beginnings, in both languages at once."""

from __future__ import annotations

from pivgm.catalog.search import dataflow_document, normalise, query_words, rank
from pivgm.structures import load_standard


def test_normalising_removes_accents_and_case():
    assert normalise("Darién MIGRACIÓN Ñandú") == "darien migracion nandu"


def test_small_words_do_not_count():
    assert query_words("asilo en México") == ["asilo", "mexico"]


def test_every_query_word_must_match_and_titles_weigh_more():
    documents = [dataflow_document(d) for d in load_standard().dataflows.values()]
    assert rank(documents, "darien")[0][0] == "DF_IRREGULAR_TRANSIT"
    assert rank(documents, "remesas banco")[0][0] == "DF_REMITTANCES"
    assert rank(documents, "darien remesas") == []
    assert rank(documents, "") == []
