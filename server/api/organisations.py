"""Organisations people belong to: the district office, volunteer patrol groups."""

from flask.views import MethodView
from flask_smorest import Blueprint

from server.accounts import service
from server.accounts.auth import roles_required
from server.accounts.models import Role
from server.api.schemas.accounts import OrganisationSchema

URL_PREFIX = "/organisations"
blp = Blueprint("organisations", __name__, description="Organisations (operators read, admins write)")


@blp.route("")
class Organisations(MethodView):
    @roles_required(Role.OPERATOR, Role.ADMIN)
    @blp.response(200, OrganisationSchema(many=True))
    def get(self):
        """All organisations, by name."""
        return service.list_organisations()

    @roles_required(Role.ADMIN)
    @blp.arguments(OrganisationSchema)
    @blp.response(201, OrganisationSchema)
    @blp.alt_response(409, description="Name already in use")
    def post(self, body):
        """Create an organisation."""
        return service.create_organisation(body["name"])
