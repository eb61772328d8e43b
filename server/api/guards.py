"""Guards as the control room sees them: whom a case can be dispatched to."""

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from server.accounts import service
from server.accounts.auth import STAFF_ROLES, roles_required
from server.accounts.models import Role, User
from server.api.schemas.accounts import StaffMemberSchema
from server.extensions import db

URL_PREFIX = "/guards"
blp = Blueprint("guards", __name__, description="Volunteer safety guards (operators)")


@blp.route("")
class Guards(MethodView):
    @roles_required(*STAFF_ROLES)
    @blp.response(200, StaffMemberSchema(many=True))
    def get(self):
        """Active guards with their organisation, by organisation and name."""
        stmt = service.list_users(Role.GUARD).where(User.active.is_(True)).options(selectinload(User.organisation))
        return db.session.scalars(stmt.order_by(None).order_by(User.organisation_id, User.display_name, User.id)).all()
