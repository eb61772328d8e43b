"""Warnings as OASIS CAP 1.2 XML, with an Atom index, for other systems.

One ``<info>`` per language (ko-KR first, then en-US). Areas: CAP polygons
are ``lat,lon`` pairs, circles ``lat,lon radius-in-km``, and geocodes carry
the 구 code as ``SIG_CD`` and the 동 code as ``ADM_CD``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree as ET

from server.alerts.models import Alert

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CATEGORY = {"safety": "Safety", "security": "Security", "rescue": "Rescue", "fire": "Fire", "health": "Health", "env": "Env", "transport": "Transport", "infra": "Infra", "other": "Other"}


def _time(value: dt.datetime | None) -> str:
    """CAP's dateTime: no fractions, a numeric offset (Korea's own time)."""
    value = value or dt.datetime.now(dt.UTC)
    return value.astimezone(dt.timezone(dt.timedelta(hours=9))).replace(microsecond=0).isoformat()


def _text(parent: ET.Element, tag: str, value: str | None, ns: str = CAP_NS) -> None:
    if value:
        ET.SubElement(parent, f"{{{ns}}}{tag}").text = value


def _references(alert: Alert) -> str | None:
    earlier = alert.references
    return f"{earlier.sender},{earlier.identifier},{_time(earlier.sent_at)}" if earlier is not None else None


def _area(info: ET.Element, alert: Alert, description: str) -> None:
    area = ET.SubElement(info, f"{{{CAP_NS}}}area")
    _text(area, "areaDesc", description)
    areas: Mapping[str, Any] = alert.areas or {}
    for ring in areas.get("polygons") or []:
        _text(area, "polygon", " ".join(f"{lat:.6f},{lon:.6f}" for lon, lat in ring))
    for circle in areas.get("circles") or []:
        _text(area, "circle", f"{circle['lat']:.6f},{circle['lon']:.6f} {circle['radius_m'] / 1000:.3f}")
    for code in areas.get("geocodes") or []:
        geocode = ET.SubElement(area, f"{{{CAP_NS}}}geocode")
        _text(geocode, "valueName", "SIG_CD" if len(code) == 5 else "ADM_CD")
        _text(geocode, "value", code)


def element(alert: Alert) -> ET.Element:
    root = ET.Element(f"{{{CAP_NS}}}alert")
    _text(root, "identifier", alert.identifier)
    _text(root, "sender", alert.sender)
    _text(root, "sent", _time(alert.sent_at))
    _text(root, "status", alert.status.value.capitalize())
    _text(root, "msgType", alert.msg_type.value.capitalize())
    _text(root, "scope", "Public")
    _text(root, "references", _references(alert))
    for language, suffix in (("ko-KR", "ko"), ("en-US", "en")):
        info = ET.SubElement(root, f"{{{CAP_NS}}}info")
        _text(info, "language", language)
        _text(info, "category", CATEGORY[alert.category.value])
        _text(info, "event", alert.event)
        _text(info, "urgency", alert.urgency.value.capitalize())
        _text(info, "severity", alert.severity.value.capitalize())
        _text(info, "certainty", alert.certainty.value.capitalize())
        if alert.onset:
            _text(info, "onset", _time(alert.onset))
        _text(info, "expires", _time(alert.expires))
        _text(info, "senderName", "안심 Ansim")
        _text(info, "headline", getattr(alert, f"headline_{suffix}"))
        _text(info, "description", getattr(alert, f"description_{suffix}"))
        _text(info, "instruction", getattr(alert, f"instruction_{suffix}"))
        _area(info, alert, getattr(alert, f"area_desc_{suffix}"))
    return root


def document(alert: Alert) -> bytes:
    ET.register_namespace("", CAP_NS)
    return ET.tostring(element(alert), encoding="utf-8", xml_declaration=True)


def atom(alerts: list[Alert], config: Mapping[str, Any]) -> bytes:
    """An Atom feed: one entry per warning in force, linking its CAP document."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _text(feed, "id", f"urn:ansim:{config['DISTRICT_CODE']}:alerts", ATOM_NS)
    _text(feed, "title", f"안심 {config['DISTRICT_NAME']} 안전 경보 · Ansim {config['DISTRICT_NAME_EN']} warnings", ATOM_NS)
    _text(feed, "updated", _time(max((a.updated_at for a in alerts), default=None)), ATOM_NS)
    ET.SubElement(feed, f"{{{ATOM_NS}}}link", rel="self", href="/api/v1/alerts/cap")
    for alert in alerts:
        entry = ET.SubElement(feed, f"{{{ATOM_NS}}}entry")
        _text(entry, "id", alert.identifier, ATOM_NS)
        _text(entry, "title", f"{alert.headline_ko} · {alert.headline_en}", ATOM_NS)
        _text(entry, "updated", _time(alert.updated_at), ATOM_NS)
        author = ET.SubElement(entry, f"{{{ATOM_NS}}}author")
        _text(author, "name", alert.sender, ATOM_NS)
        ET.SubElement(entry, f"{{{ATOM_NS}}}link", rel="alternate", type="application/cap+xml", href=f"/api/v1/alerts/{alert.id}/cap")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
