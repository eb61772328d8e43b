"""Warnings from draft to delivery.

draft → approved → sent → updated / cancelled / expired. With two-person
approval (``ALERT_TWO_PERSON_APPROVAL``) the author cannot approve their own
warning; without it, sending approves. Sending writes one ``Delivery`` per
reached subscription in the same transaction as the state change, so a
warning marked sent is a warning that will be delivered.

An update is a new alert (msgType update) that references the one it
replaces and shares its topic; it reaches the union of the new areas and
everyone the old one reached. A cancel goes, at once, to everyone the
chain reached.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import numpy as np
import sqlalchemy as sa
from flask import current_app

from server.accounts.models import User
from server.alerts import targeting
from server.alerts.models import Alert, AlertState, AlertStatus, Category, Certainty, Delivery, DeliveryState, MsgType, Severity, Urgency
from server.database import get_or_not_found, utcnow
from server.errors import Conflict, Forbidden, Invalid, NotFound
from server.extensions import db
from server.live import publish
from server.reports.models import Report, ReportKind, ReportStatus

CHANNEL = "alerts"
EDITABLE = (AlertState.DRAFT, AlertState.APPROVED)
LIVE = (AlertState.SENT,)
FIELDS = (
    "status", "category", "event", "urgency", "severity", "certainty", "headline_ko", "headline_en",
    "description_ko", "description_en", "instruction_ko", "instruction_en", "area_desc_ko", "area_desc_en",
    "areas", "onset", "expires",
)  # fmt: skip


def get(alert_id: int) -> Alert:
    return get_or_not_found(Alert, alert_id, "alert")


def get_public(alert_id: int) -> Alert:
    """A warning residents may read: one that was sent (drafts do not exist for them)."""
    alert = db.session.get(Alert, alert_id)
    if alert is None or alert.sent_at is None or alert.status is AlertStatus.TEST:
        raise NotFound("No such warning.")
    return alert


def _validate(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    now = utcnow()
    if values.get("expires") is not None and values["expires"] <= now:
        errors["expires"] = ["The warning must expire in the future."]
    if values.get("onset") and values.get("expires") and values["onset"] >= values["expires"]:
        errors["onset"] = ["Onset comes before expiry."]
    areas = values.get("areas")
    if areas is not None:
        if not (areas.get("circles") or areas.get("polygons") or areas.get("geocodes")):
            errors["areas"] = ["Draw a circle or a polygon, or pick a 동/구."]
        else:
            known = targeting.area_shapes(list(areas.get("geocodes") or []))
            unknown = [c for c in areas.get("geocodes") or [] if c not in known]
            if unknown:
                errors["areas"] = [f"Unknown area code: {', '.join(unknown)}."]
    if errors:
        raise Invalid("This warning cannot be saved.", {"json": errors})


def _identifier() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def create(values: dict[str, Any], *, author: User, source_report: Report | None = None) -> Alert:
    """A new draft."""
    _validate(values)
    identifier = _identifier()
    alert = Alert(
        **{k: values[k] for k in FIELDS if k in values},
        identifier=identifier,
        topic=identifier[-32:].replace("-", "")[:32],
        sender=current_app.config["ALERT_SENDER"],
        author_id=author.id,
        source_report_id=source_report.id if source_report else None,
    )
    db.session.add(alert)
    db.session.commit()
    return alert


def draft_from_report(report: Report) -> dict[str, Any]:
    """What a warning about this report would say: a prefill, not a draft."""
    what = {
        ReportKind.WEAPON_SEEN: ("흉기 소지자 목격", "A person with a weapon was seen"),
        ReportKind.ASSAULT: ("폭행 사건 발생", "An assault happened"),
        ReportKind.SUSPICIOUS_PERSON: ("수상한 사람 신고", "A suspicious person was reported"),
        ReportKind.CRIME_WARNING_POST: ("범죄 예고글 확인", "An online post threatens a crime"),
        ReportKind.SOS: ("긴급 신고 발생", "An emergency call came in"),
    }.get(report.kind, ("안전 주의", "Take care"))
    severe = report.kind in (ReportKind.WEAPON_SEEN, ReportKind.ASSAULT)
    now = utcnow()
    areas: dict[str, Any] = {"circles": [], "polygons": [], "geocodes": []}
    if report.lat is not None and report.lon is not None:
        areas["circles"] = [{"lat": report.lat, "lon": report.lon, "radius_m": 500}]
    elif report.dong_code:
        areas["geocodes"] = [report.dong_code]
    return {
        "status": AlertStatus.ACTUAL,
        "category": Category.SAFETY,
        "event": what[1],
        "urgency": Urgency.IMMEDIATE if severe else Urgency.EXPECTED,
        "severity": Severity.SEVERE if severe else Severity.MODERATE,
        "certainty": Certainty.OBSERVED if report.status is not ReportStatus.NEW else Certainty.LIKELY,
        "headline_ko": f"[안심] {what[0]}",
        "headline_en": f"[Ansim] {what[1]}",
        "description_ko": f"{what[0]}. 경찰과 관제센터가 확인하고 있습니다.",
        "description_en": f"{what[1]}. The police and the control room are looking into it.",
        "instruction_ko": "밤길은 큰길로 다니고, 위험하면 안심 앱의 SOS나 112를 이용하세요.",
        "instruction_en": "Keep to main streets at night; in danger, use SOS in Ansim or call 112.",
        "area_desc_ko": "신고 위치 반경 500m",
        "area_desc_en": "Within 500 m of the report",
        "areas": areas,
        "onset": now,
        "expires": now + dt.timedelta(hours=6),
        "source_report_id": report.id,
    }


def edit(alert: Alert, values: dict[str, Any]) -> Alert:
    if alert.state not in EDITABLE:
        raise Conflict(f"A {alert.state.value} warning cannot be edited; send an update instead.")
    _validate(values)
    for key in FIELDS:
        if key in values:
            setattr(alert, key, values[key])
    # Approval is of what was read: a change needs approving again.
    alert.state, alert.approver_id, alert.approved_at = AlertState.DRAFT, None, None
    alert.updated_at = utcnow()
    db.session.commit()
    return alert


def approve(alert: Alert, *, by: User) -> Alert:
    if alert.state is not AlertState.DRAFT:
        raise Conflict(f"Only a draft can be approved; this one is {alert.state.value}.")
    if current_app.config["ALERT_TWO_PERSON_APPROVAL"] and alert.author_id == by.id:
        raise Forbidden("Two-person approval: another operator must approve this warning.")
    alert.state, alert.approver_id, alert.approved_at = AlertState.APPROVED, by.id, utcnow()
    db.session.commit()
    return alert


def preview(areas: dict[str, Any]) -> int:
    """How many subscriptions these areas would reach now."""
    _validate({"areas": areas})
    return len(targeting.recipients(targeting.build_target(areas), current_app.config["PUSH_HOME_RADIUS_MAX_M"]))


def send(alert: Alert, *, by: User) -> Alert:
    """Approve if allowed, mark sent and queue one delivery per recipient, in one transaction."""
    if alert.state is AlertState.DRAFT:
        if current_app.config["ALERT_TWO_PERSON_APPROVAL"]:
            raise Conflict("This warning needs a second operator's approval before it is sent.")
        alert.approver_id, alert.approved_at = by.id, utcnow()
    elif alert.state is not AlertState.APPROVED:
        raise Conflict(f"A {alert.state.value} warning cannot be sent again.")
    if alert.expires <= utcnow():
        raise Invalid("This warning has already expired.", {"json": {"expires": ["In the past."]}})
    ids = targeting.recipients(targeting.build_target(alert.areas), current_app.config["PUSH_HOME_RADIUS_MAX_M"])
    if alert.references_id is not None:
        ids = np.union1d(ids, _reached(alert.references_id))
    now = utcnow()
    alert.state, alert.sent_at, alert.updated_at = AlertState.SENT, now, now
    if alert.references is not None and alert.references.state in (AlertState.SENT, AlertState.EXPIRED):
        alert.references.state = AlertState.CANCELLED if alert.msg_type is MsgType.CANCEL else AlertState.UPDATED
        alert.references.updated_at = now
    _queue(alert.id, ids, now)
    db.session.commit()
    publish(CHANNEL, {"alert_id": alert.id, "state": alert.state.value})
    sender = current_app.extensions.get("ansim.push_sender")
    if sender is not None:
        sender.wake()  # the background sender starts at once instead of at its next look
    return alert


def _queue(alert_id: int, ids: np.ndarray, now: dt.datetime) -> None:
    rows = [{"alert_id": alert_id, "subscription_id": int(i), "state": DeliveryState.QUEUED, "attempts": 0, "next_attempt_at": now} for i in ids]
    for start in range(0, len(rows), 5000):
        db.session.execute(sa.insert(Delivery), rows[start : start + 5000])


def _reached(alert_id: int) -> np.ndarray:
    """Everyone a chain of alerts up to this one was sent to (and still subscribed)."""
    chain = [alert_id]
    current = db.session.get(Alert, alert_id)
    while current is not None and current.references_id is not None and current.references_id not in chain:
        chain.append(current.references_id)
        current = db.session.get(Alert, current.references_id)
    ids = db.session.scalars(sa.select(Delivery.subscription_id).where(Delivery.alert_id.in_(chain), Delivery.subscription_id.is_not(None)).distinct()).all()
    return np.asarray(ids, dtype=np.int64)


def follow_up(alert: Alert, msg_type: MsgType, values: dict[str, Any], *, by: User) -> Alert:
    """An update (a draft to approve and send) or a cancel (sent at once)."""
    if alert.state is not AlertState.SENT:
        raise Conflict(f"Only a sent warning can be updated or cancelled; this one is {alert.state.value}.")
    base = {k: getattr(alert, k) for k in FIELDS}
    if msg_type is MsgType.CANCEL:
        base.update(
            headline_ko=f"[해제] {alert.headline_ko}",
            headline_en=f"[Cancelled] {alert.headline_en}",
            urgency=Urgency.PAST,
            severity=Severity.MINOR,
            expires=max(alert.expires, utcnow() + dt.timedelta(hours=1)),
        )
    base.update({k: v for k, v in values.items() if k in FIELDS})
    _validate({k: v for k, v in values.items() if k in FIELDS})
    identifier = _identifier()
    follower = Alert(**base, identifier=identifier, topic=alert.topic, sender=alert.sender, msg_type=msg_type, references_id=alert.id, author_id=by.id, source_report_id=alert.source_report_id)
    db.session.add(follower)
    db.session.flush()
    if msg_type is MsgType.CANCEL:
        # Standing down is never held up by approval.
        follower.state = AlertState.APPROVED
        follower.approver_id, follower.approved_at = by.id, utcnow()
        return send(follower, by=by)
    db.session.commit()
    return follower


def expire_due() -> int:
    """Mark sent warnings past their expiry; their queued pushes are dropped."""
    now = utcnow()
    due = db.session.scalars(sa.select(Alert.id).where(Alert.state == AlertState.SENT, Alert.expires <= now)).all()
    if due:
        db.session.execute(sa.update(Alert).where(Alert.id.in_(due)).values(state=AlertState.EXPIRED, updated_at=now))
        db.session.execute(
            sa.update(Delivery).where(Delivery.alert_id.in_(due), Delivery.state == DeliveryState.QUEUED).values(state=DeliveryState.FAILED, last_error="expired before delivery", done_at=now)
        )
        db.session.commit()
    return len(due)


def counts(alert_ids: list[int]) -> dict[int, dict[str, int]]:
    """Deliveries per state for each alert: queued, sent, failed, gone."""
    out = {i: {state.value: 0 for state in DeliveryState} for i in alert_ids}
    if alert_ids:
        rows = db.session.execute(sa.select(Delivery.alert_id, Delivery.state, sa.func.count()).where(Delivery.alert_id.in_(alert_ids)).group_by(Delivery.alert_id, Delivery.state))
        for alert_id, state, n in rows:
            out[alert_id][state.value] = n
    return out


def search(states: list[AlertState] | None = None) -> sa.Select[tuple[Alert]]:
    stmt = sa.select(Alert).order_by(Alert.created_at.desc(), Alert.id.desc())
    return stmt.where(Alert.state.in_(states)) if states else stmt


def public_alerts() -> list[Alert]:
    """What residents may read: sent and still in force; technical tests are not shown."""
    expire_due()
    stmt = sa.select(Alert).where(Alert.state == AlertState.SENT, Alert.msg_type != MsgType.CANCEL, Alert.status != AlertStatus.TEST)
    return list(db.session.scalars(stmt.order_by(Alert.sent_at.desc())))
