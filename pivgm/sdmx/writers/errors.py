"""SDMX error messages: SDMX-ML 2.1 ``Error`` or an SDMX-JSON ``errors`` member."""

from __future__ import annotations

import json

from lxml import etree

from pivgm.sdmx.errors import TITLES
from pivgm.sdmx.messages import ErrorMessage, Header
from pivgm.sdmx.writers.xml_structure import NSMAP, XML_LANG

XML_TYPE = "application/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"


def error_xml(error: ErrorMessage) -> bytes:
    root = etree.Element(f"{{{NSMAP['message']}}}Error", nsmap={k: NSMAP[k] for k in ("message", "common")})
    message = etree.SubElement(root, f"{{{NSMAP['message']}}}ErrorMessage", code=str(error.code))
    text = etree.SubElement(message, f"{{{NSMAP['common']}}}Text")
    text.set(XML_LANG, "en")
    text.text = error.text
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def error_json(error: ErrorMessage) -> bytes:
    header = Header.new()
    body = {
        "meta": {"id": header.id, "test": False, "prepared": header.prepared_text, "sender": {"id": header.sender}},
        "errors": [{"code": error.code, "title": TITLES.get(error.code, "Error"), "detail": error.text}],
    }
    return json.dumps(body, ensure_ascii=False).encode()


def render_error(error: ErrorMessage, accept: str | None) -> tuple[bytes, str]:
    """The error in JSON when the client asked for JSON, otherwise in SDMX-ML; with its media type."""
    if accept and "json" in accept.lower() and "xml" not in accept.lower():
        return error_json(error), JSON_TYPE
    return error_xml(error), XML_TYPE
