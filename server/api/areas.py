"""구 and 동: their codes and names, for pickers and filters, and their
boundaries for maps."""

import sqlalchemy as sa
from flask import jsonify
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from server.extensions import db
from server.facilities.models import AdminArea, AreaLevel

URL_PREFIX = "/areas"
blp = Blueprint("areas", __name__, description="구 and 동 (administrative areas)")


class AreaQuerySchema(Schema):
    level = fields.Enum(AreaLevel, by_value=True)
    parent = fields.Str(metadata={"description": "the 구 code (SIG_CD) whose 동 to list", "example": "11290"})
    geometry = fields.Bool(load_default=False, metadata={"description": "include the GeoJSON boundary"})


class AreaSchema(Schema):
    code = fields.Str()
    alt_code = fields.Str(allow_none=True)
    name = fields.Str()
    name_en = fields.Str(allow_none=True)
    level = fields.Enum(AreaLevel, by_value=True)
    parent_code = fields.Str(allow_none=True)
    bbox = fields.Method("_bbox", metadata={"description": "min_lon, min_lat, max_lon, max_lat"})
    geometry = fields.Dict()

    def _bbox(self, area: AdminArea) -> list[float]:
        return [area.min_lon, area.min_lat, area.max_lon, area.max_lat]


@blp.route("")
class Areas(MethodView):
    @blp.arguments(AreaQuerySchema, location="query")
    @blp.response(200, AreaSchema(many=True))
    def get(self, query):
        """구 and 동 by code; with `geometry=true`, their boundaries."""
        stmt = sa.select(AdminArea).order_by(AdminArea.level, AdminArea.code)
        if query.get("level"):
            stmt = stmt.where(AdminArea.level == query["level"])
        if query.get("parent"):
            stmt = stmt.where(AdminArea.parent_code == query["parent"])
        areas = db.session.scalars(stmt).all()
        # Boundaries are large: dumped only when asked for (a Response passes
        # through flask-smorest as it is; the decorator above documents it).
        schema = AreaSchema(many=True) if query["geometry"] else AreaSchema(many=True, exclude=("geometry",))
        return jsonify(schema.dump(areas))
