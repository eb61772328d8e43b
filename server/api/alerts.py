"""Area warnings: residents read the ones in force; operators compose,
approve, send, update and cancel them, and follow their delivery."""

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from server.accounts.auth import STAFF_ROLES, current_account, roles_required
from server.alerts import cap, service
from server.alerts.models import MsgType
from server.api.schemas.alerts import (
    AlertEditSchema,
    AlertQuerySchema,
    AlertSchema,
    AlertWriteSchema,
    FollowUpSchema,
    OperatorAlertSchema,
    PreviewResultSchema,
    PreviewSchema,
)
from server.extensions import db
from server.live import event_stream, sse
from server.reports import service as reports

URL_PREFIX = "/alerts"
blp = Blueprint("alerts", __name__, description="Area warnings, shaped after CAP 1.2")


def _with_counts(alerts):  # type: ignore[no-untyped-def]
    counts = service.counts([a.id for a in alerts])
    for alert in alerts:
        alert.counts = counts[alert.id]
    return alerts


def _one(alert):  # type: ignore[no-untyped-def]
    return _with_counts([alert])[0]


@blp.route("")
class Alerts(MethodView):
    @blp.response(200, AlertSchema(many=True))
    def get(self):
        """Warnings in force, newest first (anyone: the app's alert feed works without push)."""
        return service.public_alerts()

    @roles_required(*STAFF_ROLES)
    @blp.arguments(AlertWriteSchema)
    @blp.response(201, OperatorAlertSchema)
    def post(self, body):
        """Operators: a new draft."""
        report_id = body.pop("source_report_id", None)
        source = reports.get(report_id) if report_id else None
        return _one(service.create(body, author=current_account(), source_report=source))


@blp.route("/manage")
class ManagedAlerts(MethodView):
    @roles_required(*STAFF_ROLES)
    @blp.arguments(AlertQuerySchema, location="query")
    @blp.response(200, OperatorAlertSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Operators: every warning in any state, with delivery counts."""
        service.expire_due()
        page = db.paginate(service.search(query.get("state")), page=pagination_parameters.page, per_page=pagination_parameters.page_size, error_out=False)
        pagination_parameters.item_count = page.total
        return _with_counts(page.items)


@blp.route("/stream")
class AlertStream(MethodView):
    decorators = [roles_required(*STAFF_ROLES)]

    @blp.doc(responses={"200": {"description": "text/event-stream of `alert` events (OperatorAlert, with counts)", "content": {"text/event-stream": {}}}})
    def get(self):
        """Operators: a Server-Sent Events feed of warnings as they change and as their pushes go out."""
        return event_stream(service.CHANNEL, lambda message: _alert_frame(message["alert_id"]))


def _alert_frame(alert_id: int) -> str:
    try:
        return sse(OperatorAlertSchema().dump(_one(service.get(alert_id))), name="alert")
    finally:
        db.session.remove()  # a feed lives long; hold no connection between events


@blp.route("/preview", methods=["POST"])
@roles_required(*STAFF_ROLES)
@blp.arguments(PreviewSchema)
@blp.response(200, PreviewResultSchema)
def preview(body):
    """Operators: how many subscribers these areas reach, before sending."""
    return {"recipients": service.preview(body["areas"])}


@blp.route("/draft-from-report/<int:report_id>")
@roles_required(*STAFF_ROLES)
@blp.response(200, AlertWriteSchema)
def draft_from_report(report_id):
    """Operators: a warning prefilled from a report (not saved)."""
    return service.draft_from_report(reports.get(report_id))


@blp.route("/<int:alert_id>")
class AlertById(MethodView):
    @blp.response(200, AlertSchema)
    def get(self, alert_id):
        """One warning as residents see it (sent ones only; others are not found)."""
        return service.get_public(alert_id)

    @roles_required(*STAFF_ROLES)
    @blp.arguments(AlertEditSchema)
    @blp.response(200, OperatorAlertSchema)
    def patch(self, body, alert_id):
        """Operators: edit a draft (an approved one goes back to draft)."""
        return _one(service.edit(service.get(alert_id), body))


@blp.route("/<int:alert_id>/manage")
@roles_required(*STAFF_ROLES)
@blp.response(200, OperatorAlertSchema)
def manage_one(alert_id):
    """Operators: one warning in any state, with delivery counts."""
    return _one(service.get(alert_id))


@blp.route("/<int:alert_id>/approve", methods=["POST"])
@roles_required(*STAFF_ROLES)
@blp.response(200, OperatorAlertSchema)
@blp.alt_response(403, description="Two-person approval: the author cannot approve")
def approve(alert_id):
    """Operators: approve a draft."""
    return _one(service.approve(service.get(alert_id), by=current_account()))


@blp.route("/<int:alert_id>/send", methods=["POST"])
@roles_required(*STAFF_ROLES)
@blp.response(200, OperatorAlertSchema)
def send(alert_id):
    """Operators: send — one push per subscriber reached, queued durably."""
    return _one(service.send(service.get(alert_id), by=current_account()))


@blp.route("/<int:alert_id>/update", methods=["POST"])
@roles_required(*STAFF_ROLES)
@blp.arguments(FollowUpSchema)
@blp.response(201, OperatorAlertSchema)
def update(body, alert_id):
    """Operators: an update (CAP msgType Update), a draft that replaces the warning once sent."""
    return _one(service.follow_up(service.get(alert_id), MsgType.UPDATE, body, by=current_account()))


@blp.route("/<int:alert_id>/cancel", methods=["POST"])
@roles_required(*STAFF_ROLES)
@blp.arguments(FollowUpSchema)
@blp.response(201, OperatorAlertSchema)
def cancel(body, alert_id):
    """Operators: cancel a sent warning; everyone it reached is told at once."""
    return _one(service.follow_up(service.get(alert_id), MsgType.CANCEL, body, by=current_account()))


@blp.route("/cap")
@blp.doc(responses={"200": {"description": "Atom index of the warnings in force", "content": {"application/atom+xml": {}}}})
def cap_index():
    """The warnings in force as an Atom feed linking one CAP 1.2 document each."""
    return Response(cap.atom(service.public_alerts(), current_app.config), mimetype="application/atom+xml")


@blp.route("/<int:alert_id>/cap")
@blp.doc(responses={"200": {"description": "a CAP 1.2 alert", "content": {"application/cap+xml": {}}}})
def cap_document(alert_id):
    """One warning as a CAP 1.2 document."""
    return Response(cap.document(service.get_public(alert_id)), mimetype="application/cap+xml")
