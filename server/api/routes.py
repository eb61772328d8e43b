"""Walking routes: shortest, balanced and safest, with their safety explained."""

from flask import jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from server.api.schemas.routes import RouteCollectionSchema, RouteQuerySchema
from server.routing import service

URL_PREFIX = "/routes"
blp = Blueprint("routes", __name__, description="Safer walks home: routes over the street graph")


@blp.route("")
class Routes(MethodView):
    @blp.arguments(RouteQuerySchema(), location="query")
    @blp.response(200, RouteCollectionSchema)
    @blp.alt_response(404, description="No walking route joins the two points.")
    @blp.alt_response(422, description="Malformed coordinates, or a point more than 300 m from any walkable street.")
    @blp.alt_response(503, description="No street graph is imported yet.")
    def get(self, query):
        """Up to three walking routes — shortest, balanced, safest — as GeoJSON.

        Each comes with its length, walking time (steps count double), a safety score
        (0–100) and what it rests on: the share of the length in camera view, lit and on
        safe-return paths, the bells and open safe houses passed. The safer routes stay
        within `max_detour` × the shortest; alternatives that coincide are returned once,
        with a note. Anyone may ask: residents need no account.
        """
        # The service builds the answer from plain numbers and strings in the shape
        # of RouteCollectionSchema; dumping it through marshmallow again is wasted work.
        return jsonify(service.routes(query["origin"], query["destination"], at=query["at"], max_detour=query["max_detour"]))
