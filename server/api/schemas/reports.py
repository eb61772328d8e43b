"""Schemas for reports, with one view per audience: the reporter sees their
report and the operator's public note; only operators see who reported."""

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from server.api.schemas.accounts import StaffMemberSchema
from server.api.schemas.facilities import BBoxField, Latitude, Longitude, NearbyFacilitySchema
from server.reports.models import ReportKind, ReportStatus

IDEMPOTENCY_KEY = validate.Regexp(r"^[A-Za-z0-9_.:-]{8,100}$", error="8–100 letters, digits, '-', '_', '.' or ':' (a UUID is fine).")


class ReportCreateSchema(Schema):
    kind = fields.Enum(ReportKind, by_value=True, required=True)
    lat = Latitude(allow_none=True)
    lon = Longitude(allow_none=True)
    accuracy_m = fields.Float(allow_none=True, validate=validate.Range(0, 100_000))
    text = fields.Str(allow_none=True, validate=validate.Length(max=2000))
    url = fields.Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=2000))
    facility_id = fields.Int(allow_none=True)
    silent = fields.Bool(load_default=False)
    client_time = fields.AwareDateTime(allow_none=True, metadata={"description": "when the phone made the report (it may have waited offline)"})


class IdempotencyHeaderSchema(Schema):
    class Meta:
        unknown = "exclude"  # the other request headers

    idempotency_key = fields.Str(required=True, data_key="Idempotency-Key", validate=IDEMPOTENCY_KEY)


class PhotoSchema(Schema):
    id = fields.Int()
    sha256 = fields.Str()
    content_type = fields.Str()
    size = fields.Int()
    width = fields.Int()
    height = fields.Int()
    received_at = fields.DateTime()


class ReportSchema(Schema):
    """A report as its reporter sees it."""

    id = fields.Int()
    kind = fields.Enum(ReportKind, by_value=True)
    status = fields.Enum(ReportStatus, by_value=True)
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    accuracy_m = fields.Float(allow_none=True)
    text = fields.Str(allow_none=True)
    url = fields.Str(allow_none=True)
    facility_id = fields.Int(allow_none=True)
    silent = fields.Bool()
    client_time = fields.DateTime(allow_none=True)
    received_at = fields.DateTime()
    updated_at = fields.DateTime()
    public_note = fields.Str(allow_none=True)
    photos = fields.List(fields.Nested(PhotoSchema))


class ReportEventSchema(Schema):
    at = fields.DateTime()
    actor_user_id = fields.Int(allow_none=True)
    actor_device_id = fields.Int(allow_none=True)
    actor_name = fields.Function(lambda e: e.actor.display_name if e.actor else None, metadata={"type": "string", "description": "staff only; null for the reporter"})
    actor_role = fields.Function(lambda e: e.actor.role.value if e.actor else None, metadata={"type": "string"})
    from_status = fields.Enum(ReportStatus, by_value=True, allow_none=True)
    to_status = fields.Enum(ReportStatus, by_value=True)
    note = fields.Str(allow_none=True)
    assignee_id = fields.Int(allow_none=True)
    assignee_name = fields.Function(lambda e: e.assignee.display_name if e.assignee else None, metadata={"type": "string"})


class OperatorReportSchema(ReportSchema):
    """A report as operators see it: who sent it, where it is, what happened."""

    device_id = fields.Int(allow_none=True)
    user_id = fields.Int(allow_none=True)
    gu_code = fields.Str(allow_none=True)
    dong_code = fields.Str(allow_none=True)
    area_name = fields.Str(allow_none=True)
    merged_into_id = fields.Int(allow_none=True)
    assignee = fields.Nested(StaffMemberSchema, allow_none=True, metadata={"description": "the guard it was dispatched to"})


class GuardReportSchema(ReportSchema):
    """A case as the guard sent to it sees it: what and where, not who — and
    not what the reporter alone is told."""

    class Meta:
        exclude = ("url", "silent", "client_time", "public_note")

    dispatch_note = fields.Str(allow_none=True, metadata={"description": "what the operator wrote when dispatching"})


class ReportFacilitySchema(NearbyFacilitySchema):
    ref = fields.Str(allow_none=True, metadata={"description": "관리번호 (management number)"})
    address = fields.Str(allow_none=True)
    view_direction = fields.Str(allow_none=True, metadata={"description": "촬영방면: which way a camera looks"})
    camera_count = fields.Int(allow_none=True)
    agency_phone = fields.Str(allow_none=True)


class NearestSchema(Schema):
    cctv = fields.List(fields.Nested(ReportFacilitySchema))
    bells = fields.List(fields.Nested(ReportFacilitySchema))


class OperatorReportDetailSchema(OperatorReportSchema):
    events = fields.List(fields.Nested(ReportEventSchema))
    nearest = fields.Nested(NearestSchema)


class ReportQuerySchema(Schema):
    status = fields.List(fields.Enum(ReportStatus, by_value=True))
    kind = fields.List(fields.Enum(ReportKind, by_value=True))
    area = fields.Str(validate=validate.Length(2, 10), metadata={"description": "구 (SIG_CD) or 동 (adm_cd2) code"})
    since = fields.AwareDateTime()
    until = fields.AwareDateTime()


class StatusChangeSchema(Schema):
    status = fields.Enum(ReportStatus, by_value=True, required=True)
    note = fields.Str(allow_none=True, validate=validate.Length(max=1000), metadata={"description": "for the audit log"})
    public_note = fields.Str(allow_none=True, validate=validate.Length(max=500), metadata={"description": "shown to the reporter"})
    assignee_id = fields.Int(allow_none=True, metadata={"description": "the guard to send (with status dispatched)"})


class GuardUpdateSchema(Schema):
    note = fields.Str(required=True, validate=validate.Length(1, 1000), metadata={"example": "현장 도착, 이상 없음"})
    resolved = fields.Bool(load_default=False, metadata={"description": "the guard closes the case"})


class MergeSchema(Schema):
    into = fields.Int(required=True)
    note = fields.Str(allow_none=True, validate=validate.Length(max=1000))


class PhotoUploadSchema(Schema):
    photo = Upload(required=True, metadata={"description": "JPEG, PNG or WebP"})


class PublicReportQuerySchema(Schema):
    bbox = BBoxField(required=True, metadata={"example": "127.00,37.58,127.04,37.61"})
    days = fields.Int(load_default=7, validate=validate.Range(1, 30))
