"""Facilities: nearby search, the map viewport, one facility, status changes."""

from flask import current_app, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from server.accounts.auth import STAFF_ROLES, roles_required
from server.api.schemas.facilities import (
    FacilitySchema,
    FacilityStatusSchema,
    FeatureCollectionSchema,
    NearbyQuerySchema,
    NearbyResultSchema,
    ViewportQuerySchema,
)
from server.facilities import service

URL_PREFIX = "/facilities"
blp = Blueprint("facilities", __name__, description="Emergency bells, CCTV, security lights, safe houses, police")


def _kinds(query):  # type: ignore[no-untyped-def]
    return tuple(query["kind"]) if query.get("kind") else None


@blp.route("/nearby")
class Nearby(MethodView):
    # Schema instances, not classes: the hot path should not build a schema per request.
    @blp.arguments(NearbyQuerySchema(), location="query")
    @blp.response(200, NearbyResultSchema)
    def get(self, query):
        """The nearest working facilities, nearest first, with distance, direction and walking time."""
        items = service.nearby(query["lat"], query["lon"], query["radius"], _kinds(query), query["limit"])
        # The service builds these items from plain numbers and strings in the
        # shape of NearbyResultSchema (a test holds it to that); dumping them
        # through marshmallow again would cost more than the search itself.
        return jsonify({"items": items, "count": len(items)})


@blp.route("")
class Viewport(MethodView):
    @blp.arguments(ViewportQuerySchema, location="query")
    @blp.response(200, FeatureCollectionSchema)
    def get(self, query):
        """Facilities in a map viewport as GeoJSON; clustered when there are too many to draw."""
        return service.viewport(query["bbox"], _kinds(query), current_app.config["VIEWPORT_MAX_POINTS"])


@blp.route("/<int:facility_id>")
class FacilityById(MethodView):
    @blp.response(200, FacilitySchema)
    def get(self, facility_id):
        """One facility with everything known about it."""
        return service.details(service.get_facility(facility_id))

    @roles_required(*STAFF_ROLES)
    @blp.arguments(FacilityStatusSchema)
    @blp.response(200, FacilitySchema)
    def patch(self, body, facility_id):
        """Mark a facility out of order (it stops being offered as nearest), or working again."""
        return service.details(service.set_status(service.get_facility(facility_id), body["status"]))
