"""Public settings the PWA needs at start: district, map tiles, version."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from server.version import __version__

URL_PREFIX = "/config"
blp = Blueprint("config", __name__, description="Client configuration")


class DistrictSchema(Schema):
    name = fields.Str()
    name_en = fields.Str()
    code = fields.Str()


class MapSchema(Schema):
    tile_url = fields.Str(metadata={"description": "Tile URL template; empty means no base layer"})
    attribution = fields.Str()
    center = fields.List(fields.Float(), metadata={"description": "[lat, lon]"})
    zoom = fields.Int()


class LimitsSchema(Schema):
    max_photo_bytes = fields.Int(metadata={"description": "the largest photo a report may carry"})


class ClientConfigSchema(Schema):
    version = fields.Str()
    district = fields.Nested(DistrictSchema)
    map = fields.Nested(MapSchema)
    limits = fields.Nested(LimitsSchema)


@blp.route("")
class ClientConfig(MethodView):
    @blp.response(200, ClientConfigSchema)
    def get(self):
        """Settings the app needs before it draws anything."""
        c = current_app.config
        return {
            "version": __version__,
            "district": {"name": c["DISTRICT_NAME"], "name_en": c["DISTRICT_NAME_EN"], "code": c["DISTRICT_CODE"]},
            "map": {"tile_url": c["TILE_URL"], "attribution": c["TILE_ATTRIBUTION"], "center": list(c["MAP_CENTER"]), "zoom": c["MAP_ZOOM"]},
            "limits": {"max_photo_bytes": c["MAX_PHOTO_BYTES"]},
        }
