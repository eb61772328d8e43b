"""Schemas for facilities: nearby queries, map viewports, details."""

from marshmallow import Schema, ValidationError, fields, validate

from server.facilities.models import FacilityKind, FacilityStatus

MAX_RADIUS_M = 5000
MAX_LIMIT = 100

Latitude = lambda **kw: fields.Float(validate=validate.Range(-90, 90), **kw)  # noqa: E731
Longitude = lambda **kw: fields.Float(validate=validate.Range(-180, 180), **kw)  # noqa: E731


class KindsField(fields.List):
    """``kind=bell&kind=cctv`` or ``kind=bell,cctv``."""

    def __init__(self, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(fields.Enum(FacilityKind, by_value=True), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):  # type: ignore[no-untyped-def]
        items = value if isinstance(value, list) else [value]
        split = [part.strip() for item in items for part in str(item).split(",") if part.strip()]
        return super()._deserialize(split, attr, data, **kwargs)


class NearbyQuerySchema(Schema):
    lat = Latitude(required=True)
    lon = Longitude(required=True)
    radius = fields.Float(load_default=1000, validate=validate.Range(1, MAX_RADIUS_M), metadata={"description": "metres, ≤ 5,000"})
    kind = KindsField(metadata={"description": "one or more kinds; all when absent"})
    limit = fields.Int(load_default=10, validate=validate.Range(1, MAX_LIMIT))


class NearbyFacilitySchema(Schema):
    id = fields.Int()
    kind = fields.Str()
    lat = fields.Float()
    lon = fields.Float()
    label = fields.Str(allow_none=True, metadata={"description": "location or address"})
    distance_m = fields.Float()
    bearing_deg = fields.Float(metadata={"description": "from the asking point, clockwise from north"})
    compass = fields.Str(metadata={"example": "NE"})
    compass_ko = fields.Str(metadata={"example": "북동"})
    walking_minutes = fields.Float()


class NearbyResultSchema(Schema):
    items = fields.List(fields.Nested(NearbyFacilitySchema))
    count = fields.Int()


class BBoxField(fields.Field):
    """``min_lon,min_lat,max_lon,max_lat`` (the GeoJSON order)."""

    def _deserialize(self, value, attr, data, **kwargs):  # type: ignore[no-untyped-def]
        try:
            parts = [float(p) for p in str(value).split(",")]
        except ValueError:
            raise ValidationError("Four numbers: min_lon,min_lat,max_lon,max_lat.") from None
        if len(parts) != 4:
            raise ValidationError("Four numbers: min_lon,min_lat,max_lon,max_lat.")
        min_lon, min_lat, max_lon, max_lat = parts
        if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):
            raise ValidationError("Minimums must be below maximums, within WGS84 ranges.")
        if max_lon - min_lon > 2 or max_lat - min_lat > 2:
            raise ValidationError("The box may span at most 2 degrees; zoom in.")
        return tuple(parts)


class ViewportQuerySchema(Schema):
    bbox = BBoxField(required=True, metadata={"example": "127.00,37.58,127.04,37.61"})
    kind = KindsField()


class FeatureCollectionSchema(Schema):
    type = fields.Str()
    features = fields.List(fields.Dict())
    aggregated = fields.Bool(metadata={"description": "true when points were grouped into clusters"})
    total = fields.Int()


class FacilitySchema(Schema):
    id = fields.Int()
    kind = fields.Enum(FacilityKind, by_value=True)
    status = fields.Enum(FacilityStatus, by_value=True)
    lat = fields.Float()
    lon = fields.Float()
    location = fields.Str(allow_none=True)
    road_address = fields.Str(allow_none=True)
    lot_address = fields.Str(allow_none=True)
    agency_name = fields.Str(allow_none=True)
    agency_phone = fields.Str(allow_none=True)
    attributes = fields.Dict()
    gu_code = fields.Str(allow_none=True)
    gu_name = fields.Str(allow_none=True)
    dong_code = fields.Str(allow_none=True)
    dong_name = fields.Str(allow_none=True)
    source = fields.Str()
    source_date = fields.Date(allow_none=True)
    updated_at = fields.DateTime()


class FacilityStatusSchema(Schema):
    status = fields.Enum(FacilityStatus, by_value=True, required=True, validate=validate.OneOf([FacilityStatus.ACTIVE, FacilityStatus.OUT_OF_ORDER]))
