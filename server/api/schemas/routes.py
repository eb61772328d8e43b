"""Schemas for walking routes: the query, and the GeoJSON answer (for the docs)."""

import math

from marshmallow import Schema, ValidationError, fields, validate

from server.routing.safety import KST

MAX_DETOUR = 2.0
LAT_LON = "Give 'lat,lon' in decimal degrees, e.g. 37.5894,127.0167. / '위도,경도' 형식으로 보내세요(예: 37.5894,127.0167)."


class LatLonField(fields.Field):
    """``lat,lon`` in WGS84 decimal degrees, as (lat, lon)."""

    def _deserialize(self, value, attr, data, **kwargs):  # type: ignore[no-untyped-def]
        parts = str(value).split(",")
        try:
            lat, lon = (float(p) for p in parts)
        except ValueError:
            raise ValidationError(LAT_LON) from None
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationError("Latitude must be within -90…90 and longitude within -180…180. / 위도·경도 범위를 벗어났습니다.")
        return lat, lon


class RouteQuerySchema(Schema):
    origin = LatLonField(required=True, data_key="from", metadata={"description": "start, `lat,lon`", "example": "37.5894,127.0167"})
    destination = LatLonField(required=True, data_key="to", metadata={"description": "destination, `lat,lon`", "example": "37.5920,127.0210"})
    at = fields.AwareDateTime(
        format="iso",
        default_timezone=KST,
        load_default=None,
        metadata={"description": "when the walk starts (ISO 8601; without a zone, Korean time); default now. Decides which safe houses count as open."},
    )
    max_detour = fields.Float(
        load_default=None,
        validate=validate.Range(1.0, MAX_DETOUR),
        metadata={"description": "how much longer than the shortest the safer routes may be, 1.0–2.0 (default 1.3)"},
    )


class RouteCollectionSchema(Schema):
    type = fields.Str(metadata={"example": "FeatureCollection"})
    features = fields.List(
        fields.Dict(),
        metadata={
            "description": (
                "One LineString Feature per route, shortest first. Properties: kind (shortest|balanced|safest), kinds (all the "
                "alternatives it stands for), length_m, walking_minutes, detour, steps_m, safety_score (0–100), explanation "
                "(camera_share, bells_passed, lit_share, safe_path_share, main_road_share, safe_houses_open, recent_reports), "
                "summary_ko, summary_en, facilities (cameras, bells, safe houses with open, police boxes along the way)."
            )
        },
    )
    count = fields.Int()
    from_ = fields.Dict(data_key="from", metadata={"description": "the asked start and where it met the street network"})
    to = fields.Dict(metadata={"description": "the asked destination and where it met the street network"})
    at = fields.Str()
    max_detour = fields.Float()
    note = fields.Dict(allow_none=True, metadata={"description": "{ko, en}: which alternatives coincide, when fewer than three are returned"})
    graph_version = fields.Int()
