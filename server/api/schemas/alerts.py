"""Schemas for push subscriptions and warnings (CAP 1.2 in JSON dress)."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from server.accounts.models import Language
from server.alerts.models import AlertState, AlertStatus, Category, Certainty, MsgType, Severity, Urgency
from server.api.schemas.facilities import Latitude, Longitude


class KeysSchema(Schema):
    p256dh = fields.Str(required=True, validate=validate.Length(80, 100))
    auth = fields.Str(required=True, validate=validate.Length(16, 30))


class HomeSchema(Schema):
    lat = Latitude(required=True)
    lon = Longitude(required=True)
    radius_m = fields.Float(load_default=500, validate=validate.Range(50, 50_000))


class PointSchema(Schema):
    lat = Latitude(required=True)
    lon = Longitude(required=True)


AREA_CODE = fields.Str(validate=validate.Regexp(r"^\d{2,10}$", error="A 구 (SIG_CD) or 동 (adm_cd2) code."))


class SubscriptionSchema(Schema):
    """A browser's PushSubscription (its toJSON()) plus what it follows."""

    endpoint = fields.Str(required=True, validate=validate.Length(10, 2000))
    keys = fields.Nested(KeysSchema, required=True, load_only=True)
    language = fields.Enum(Language, by_value=True, load_default=Language.KO)
    home = fields.Nested(HomeSchema, allow_none=True, metadata={"description": "home: a point and radius"})
    area_codes = fields.List(AREA_CODE, validate=validate.Length(max=20), metadata={"description": "동/구 followed"})
    here = fields.Nested(PointSchema, allow_none=True, metadata={"description": "where I am; kept rounded to ~100 m"})
    here_at = fields.DateTime(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class SubscriptionUpdateSchema(Schema):
    endpoint = fields.Str(required=True, validate=validate.Length(10, 2000))
    keys = fields.Nested(KeysSchema, load_only=True)
    language = fields.Enum(Language, by_value=True)
    home = fields.Nested(HomeSchema, allow_none=True)
    area_codes = fields.List(AREA_CODE, validate=validate.Length(max=20))
    here = fields.Nested(PointSchema, allow_none=True)


class SubscriptionOutSchema(Schema):
    endpoint = fields.Str()
    language = fields.Enum(Language, by_value=True)
    home = fields.Method("_home", allow_none=True)
    area_codes = fields.List(fields.Str())
    here = fields.Method("_here", allow_none=True)
    here_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime()

    def _home(self, s):  # type: ignore[no-untyped-def]
        return None if s.home_lat is None else {"lat": s.home_lat, "lon": s.home_lon, "radius_m": s.home_radius_m}

    def _here(self, s):  # type: ignore[no-untyped-def]
        return None if s.here_lat is None else {"lat": s.here_lat, "lon": s.here_lon}


class EndpointSchema(Schema):
    endpoint = fields.Str(required=True, validate=validate.Length(10, 2000))


class VapidKeySchema(Schema):
    public_key = fields.Str(metadata={"description": "applicationServerKey: the P-256 point, base64url"})


class CircleSchema(Schema):
    lat = Latitude(required=True)
    lon = Longitude(required=True)
    radius_m = fields.Float(required=True, validate=validate.Range(10, 50_000))


class PolygonField(fields.List):
    """One ring of [lon, lat] pairs, closed (first == last), at least a triangle."""

    def __init__(self, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(fields.List(fields.Float(), validate=validate.Length(equal=2)), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):  # type: ignore[no-untyped-def]
        ring = super()._deserialize(value, attr, data, **kwargs)
        if len(ring) < 4 or ring[0] != ring[-1]:
            raise ValidationError("A closed ring of at least 4 [lon, lat] pairs, the last equal to the first.")
        if any(not (-180 <= lon <= 180 and -90 <= lat <= 90) for lon, lat in ring):
            raise ValidationError("Coordinates out of range.")
        return ring


class AreasSchema(Schema):
    circles = fields.List(fields.Nested(CircleSchema), load_default=list, validate=validate.Length(max=20))
    polygons = fields.List(PolygonField(), load_default=list, validate=validate.Length(max=20))
    geocodes = fields.List(AREA_CODE, load_default=list, validate=validate.Length(max=50))


def _enum(enum, **kw):  # type: ignore[no-untyped-def]
    return fields.Enum(enum, by_value=True, **kw)


class AlertWriteSchema(Schema):
    status = _enum(AlertStatus, load_default=AlertStatus.ACTUAL)
    category = _enum(Category, load_default=Category.SAFETY)
    event = fields.Str(required=True, validate=validate.Length(1, 120))
    urgency = _enum(Urgency, required=True)
    severity = _enum(Severity, required=True)
    certainty = _enum(Certainty, required=True)
    headline_ko = fields.Str(required=True, validate=validate.Length(1, 160))
    headline_en = fields.Str(required=True, validate=validate.Length(1, 160))
    description_ko = fields.Str(load_default="", validate=validate.Length(max=4000))
    description_en = fields.Str(load_default="", validate=validate.Length(max=4000))
    instruction_ko = fields.Str(load_default="", validate=validate.Length(max=2000))
    instruction_en = fields.Str(load_default="", validate=validate.Length(max=2000))
    area_desc_ko = fields.Str(required=True, validate=validate.Length(1, 200))
    area_desc_en = fields.Str(required=True, validate=validate.Length(1, 200))
    areas = fields.Nested(AreasSchema, required=True)
    onset = fields.AwareDateTime(allow_none=True)
    expires = fields.AwareDateTime(required=True)
    source_report_id = fields.Int(allow_none=True)

    @validates_schema
    def _times(self, data, **kwargs):  # type: ignore[no-untyped-def]
        if data.get("onset") and data.get("expires") and data["onset"] >= data["expires"]:
            raise ValidationError({"onset": ["Onset comes before expiry."]})


class AlertChangeSchema(AlertWriteSchema):
    """An edit, update or cancel: only what changes (load it with partial=True)."""


#: An edit or a follow-up names only what changes.
AlertEditSchema = AlertChangeSchema(partial=True)


class CountsSchema(Schema):
    queued = fields.Int()
    sent = fields.Int()
    failed = fields.Int()
    gone = fields.Int()


class AlertSchema(Schema):
    id = fields.Int()
    identifier = fields.Str()
    sender = fields.Str()
    status = _enum(AlertStatus)
    msg_type = _enum(MsgType)
    references_id = fields.Int(allow_none=True)
    category = _enum(Category)
    event = fields.Str()
    urgency = _enum(Urgency)
    severity = _enum(Severity)
    certainty = _enum(Certainty)
    headline_ko = fields.Str()
    headline_en = fields.Str()
    description_ko = fields.Str()
    description_en = fields.Str()
    instruction_ko = fields.Str()
    instruction_en = fields.Str()
    area_desc_ko = fields.Str()
    area_desc_en = fields.Str()
    areas = fields.Dict()
    onset = fields.DateTime(allow_none=True)
    expires = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    state = _enum(AlertState, metadata={"description": "sent (in force), updated (replaced by a later one), cancelled or expired"})


class OperatorAlertSchema(AlertSchema):
    author_id = fields.Int(allow_none=True)
    approver_id = fields.Int(allow_none=True)
    author_name = fields.Function(lambda a: a.author.display_name if a.author else None, metadata={"type": "string"})
    approver_name = fields.Function(lambda a: a.approver.display_name if a.approver else None, metadata={"type": "string"})
    source_report_id = fields.Int(allow_none=True)
    topic = fields.Str()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    approved_at = fields.DateTime(allow_none=True)
    counts = fields.Nested(CountsSchema, metadata={"description": "deliveries by state"})


class AlertQuerySchema(Schema):
    state = fields.List(_enum(AlertState))


class PreviewSchema(Schema):
    areas = fields.Nested(AreasSchema, required=True)


class PreviewResultSchema(Schema):
    recipients = fields.Int()


FollowUpSchema = AlertEditSchema
