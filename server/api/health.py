"""Liveness and readiness: is the database reachable, which version runs."""

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from server.extensions import db
from server.version import __version__

URL_PREFIX = "/health"
blp = Blueprint("health", __name__, description="Service health")


class HealthSchema(Schema):
    status = fields.Str(metadata={"example": "ok"})
    version = fields.Str()
    database = fields.Str(metadata={"description": "ok, or unreachable"})
    database_backend = fields.Str(metadata={"example": "sqlite"})


@blp.route("")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, schema=HealthSchema, description="The database is unreachable")
    def get(self):
        """Report whether the service and its database answer."""
        backend = db.engine.dialect.name
        try:
            db.session.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            db.session.rollback()
            return {"status": "error", "version": __version__, "database": "unreachable", "database_backend": backend}, 503
        return {"status": "ok", "version": __version__, "database": "ok", "database_backend": backend}
