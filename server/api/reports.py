"""Reports: residents and guards send them (an SOS is never behind a login);
operators follow them through their case workflow."""

from flask import current_app, g, request, send_file
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from server.accounts.auth import STAFF_ROLES, accepts, current_account, current_device, roles_required
from server.accounts.models import Role
from server.api.schemas.facilities import FeatureCollectionSchema
from server.api.schemas.reports import (
    GuardReportSchema,
    GuardUpdateSchema,
    IdempotencyHeaderSchema,
    MergeSchema,
    OperatorReportDetailSchema,
    OperatorReportSchema,
    PhotoSchema,
    PhotoUploadSchema,
    PublicReportQuerySchema,
    ReportCreateSchema,
    ReportQuerySchema,
    ReportSchema,
    StatusChangeSchema,
)
from server.extensions import db, limiter
from server.live import event_stream, sse
from server.reports import photos, service
from server.reports.models import ReportKind

URL_PREFIX = "/reports"
blp = Blueprint("reports", __name__, description="SOS and reports, and the operators' case workflow")


def _device_or_address() -> str:
    return "report:" + (request.headers.get("X-Device-Key") or request.remote_addr or "-")


def _is_sos() -> bool:
    body = request.get_json(silent=True)
    return isinstance(body, dict) and body.get("kind") == ReportKind.SOS.value


def _known_retry() -> bool:
    """A retry of a stored report is answered even when the limit is reached:
    the phone only wants to hear what became of what it already sent."""
    if "known_retry" not in g:
        key = request.headers.get("Idempotency-Key")
        g.known_retry = bool(key) and service.is_stored(key)
    return g.known_retry


def _limit(name: str):  # type: ignore[no-untyped-def]
    return lambda: current_app.config[name]


def _stored(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 201  # retries of a stored report cost nothing


@blp.route("")
class Reports(MethodView):
    # Ordinary reports are limited per device and per address; an SOS only per
    # device and generously, so a shared address (a carrier NAT, a dormitory)
    # can never block someone's first call for help.
    @limiter.limit(_limit("REPORT_RATE_LIMIT"), key_func=_device_or_address, deduct_when=_stored, exempt_when=lambda: _is_sos() or _known_retry(), scope="reports")
    @limiter.limit(_limit("REPORT_ADDRESS_RATE_LIMIT"), deduct_when=_stored, exempt_when=lambda: _is_sos() or _known_retry(), scope="reports-ip")
    @limiter.limit(_limit("SOS_RATE_LIMIT"), key_func=_device_or_address, deduct_when=_stored, exempt_when=lambda: not _is_sos() or _known_retry(), scope="sos")
    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.arguments(ReportCreateSchema)
    @blp.response(201, ReportSchema)
    @blp.alt_response(200, schema=ReportSchema, description="A retry: the report stored by the first request with this key")
    @blp.alt_response(409, description="The key belongs to someone else's report")
    def post(self, headers, body):
        """Send a report or an SOS, with an `Idempotency-Key` header.

        Needs a device key or an account. The same key always returns the same
        report, so the app can retry until it hears back.
        """
        device, user = current_device(), current_account()
        if device is None and user is None:
            abort(401, message="Send X-Device-Key (any random 128-bit key) or log in.")
        result = service.submit(body, idempotency_key=headers["idempotency_key"], device=device, user=user)
        return result.report, 201 if result.created else 200

    @roles_required(*STAFF_ROLES)
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.response(200, OperatorReportSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Operators: reports by status, kind, area and time; open SOS first."""
        stmt = service.search(statuses=query.get("status"), kinds=query.get("kind"), area=query.get("area"), since=query.get("since"), until=query.get("until"))
        page = db.paginate(stmt, page=pagination_parameters.page, per_page=pagination_parameters.page_size, error_out=False)
        pagination_parameters.item_count = page.total
        return service.with_area_names(page.items)


@blp.route("/mine")
class MyReports(MethodView):
    @blp.response(200, ReportSchema(many=True))
    def get(self):
        """The reports this device or account sent, with their status and the operator's note."""
        device, user = current_device(), current_account()
        if device is None and user is None:
            abort(401, message="Send X-Device-Key or log in.")
        return service.mine(device, user)


@blp.route("/assigned")
class AssignedReports(MethodView):
    @roles_required(Role.GUARD)
    @blp.response(200, GuardReportSchema(many=True))
    def get(self):
        """Guards: the open cases the control room dispatched to me."""
        return service.assigned_to(current_account())


@blp.route("/assigned/<int:report_id>", methods=["POST"])
@roles_required(Role.GUARD)
@blp.arguments(GuardUpdateSchema)
@blp.response(200, GuardReportSchema)
@blp.alt_response(409, description="The case is closed")
def guard_update(body, report_id):
    """Guards: say what I found at a case dispatched to me, and close it if done."""
    guard = current_account()
    return service.guard_update(service.assigned_case(guard, report_id), by=guard, note=body["note"], resolved=body["resolved"])


@blp.route("/public")
class PublicReports(MethodView):
    @blp.arguments(PublicReportQuerySchema, location="query")
    @blp.response(200, FeatureCollectionSchema)
    def get(self, query):
        """Recent reports anyone may see: kinds marked public, placed on a ~100 m
        grid, dated by day; no text, no ids, no reporter."""
        return service.public_reports(query["bbox"], query["days"])


@blp.route("/stream")
class ReportStream(MethodView):
    decorators = [roles_required(*STAFF_ROLES)]

    @blp.doc(responses={"200": {"description": "text/event-stream of `report` events (OperatorReport)", "content": {"text/event-stream": {}}}})
    def get(self):
        """Operators: a Server-Sent Events feed of new and changed reports.

        Each event's id is its audit-log id; a reconnect with `Last-Event-ID`
        first receives what it missed.
        """
        last = request.headers.get("Last-Event-ID", "")
        missed = service.events_since(int(last)) if last.isdigit() else []
        return event_stream(
            service.CHANNEL,
            lambda message: _report_frame(message["report_id"], message["event_id"]),
            first=(_report_frame(event.report_id, event.id) for event in missed),
        )


def _report_frame(report_id: int, event_id: int) -> str:
    try:
        return sse(OperatorReportSchema().dump(service.with_area_names([service.get(report_id)])[0]), name="report", event_id=event_id)
    finally:
        db.session.remove()  # a feed lives long; hold no connection between events


@blp.route("/<int:report_id>")
class ReportById(MethodView):
    decorators = [roles_required(*STAFF_ROLES)]

    @blp.response(200, OperatorReportDetailSchema)
    def get(self, report_id):
        """Operators: one report with its history and the nearest cameras and bells."""
        return service.details(service.get(report_id))

    @blp.arguments(StatusChangeSchema)
    @blp.response(200, OperatorReportSchema)
    @blp.alt_response(409, description="Not a possible next status")
    def patch(self, body, report_id):
        """Operators: move the case along, with a note for the log and one for the reporter."""
        report = service.get(report_id)
        assignee = service.assignee_by_id(body.get("assignee_id"))
        changed = service.change_status(report, body["status"], by=current_account(), note=body.get("note"), public_note=body.get("public_note"), assignee=assignee)
        return service.with_area_names([changed])[0]


@blp.route("/<int:report_id>/merge", methods=["POST"])
@roles_required(*STAFF_ROLES)
@blp.arguments(MergeSchema)
@blp.response(200, OperatorReportSchema)
def merge(body, report_id):
    """Operators: mark a report a duplicate of another."""
    merged = service.merge(service.get(report_id), service.get(body["into"]), by=current_account(), note=body.get("note"))
    return service.with_area_names([merged])[0]


def _viewer() -> dict:
    user = current_account()
    return {"device": current_device(), "user": user, "staff": bool(user and user.role in STAFF_ROLES)}


@blp.route("/<int:report_id>/photos", methods=["POST"])
@accepts("multipart/form-data")
@blp.arguments(PhotoUploadSchema, location="files")
@blp.response(201, PhotoSchema)
@blp.alt_response(200, schema=PhotoSchema, description="This photo was already attached")
@blp.alt_response(413, description="Larger than the photo limit")
@blp.alt_response(415, description="Not a JPEG, PNG or WebP image")
def add_photo(files, report_id):
    """The reporter (or an operator) attaches a photo, once per distinct photo.

    The original is kept as evidence; others are shown a copy without its
    location and camera metadata.
    """
    viewer = _viewer()
    if viewer["device"] is None and viewer["user"] is None:
        abort(401, message="Send X-Device-Key or log in.")
    photo, created = photos.attach(service.get(report_id), files["photo"].read(), **viewer)
    return photo, 201 if created else 200


@blp.route("/<int:report_id>/photos/<int:photo_id>")
@blp.doc(responses={"200": {"description": "the photo without metadata", "content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}})
def photo_file(report_id, photo_id):
    """The photo as shown to others: no location, no camera metadata."""
    report, viewer = service.get(report_id), _viewer()
    if not photos.may_see(report, **viewer):
        abort(403 if viewer["device"] or viewer["user"] else 401)
    photo = photos.get(report, photo_id)
    return send_file(photos.shared_file(photo), mimetype=photo.content_type, max_age=0)
