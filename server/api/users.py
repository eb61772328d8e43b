"""Accounts, managed by admins."""

from flask.views import MethodView
from flask_smorest import Blueprint

from server.accounts import service
from server.accounts.auth import current_account, roles_required
from server.accounts.models import Role
from server.api.schemas.accounts import UserCreateSchema, UserQuerySchema, UserSchema, UserUpdateSchema
from server.extensions import db

URL_PREFIX = "/users"
blp = Blueprint("users", __name__, description="Accounts (admins)")


@blp.route("")
class Users(MethodView):
    decorators = [roles_required(Role.ADMIN)]

    @blp.arguments(UserQuerySchema, location="query")
    @blp.response(200, UserSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """List accounts, optionally by role or a search text."""
        stmt = service.list_users(query.get("role"), query.get("q"))
        page = db.paginate(stmt, page=pagination_parameters.page, per_page=pagination_parameters.page_size, error_out=False)
        pagination_parameters.item_count = page.total
        return page.items

    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    @blp.alt_response(409, description="Email or phone already in use")
    def post(self, body):
        """Create an account (a guard, an operator, another admin)."""
        return service.create_user(**body)


@blp.route("/<int:user_id>")
class UserById(MethodView):
    decorators = [roles_required(Role.ADMIN)]

    @blp.response(200, UserSchema)
    def get(self, user_id):
        """One account."""
        return service.get_user(user_id)

    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    @blp.alt_response(409, description="Conflict with another account, or an admin locking themselves out")
    def patch(self, changes, user_id):
        """Change an account: role, organisation, language, active, password."""
        return service.update_user(service.get_user(user_id), changes, acting=current_account())
