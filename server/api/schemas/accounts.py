"""Schemas for accounts, organisations and the current identity."""

from marshmallow import Schema, fields, validate

from server.accounts.models import Language, Role

PHONE = validate.Regexp(r"^\+?[0-9][0-9 -]{6,19}$", error="Not a phone number.")


class OrganisationSchema(Schema):
    id = fields.Int(dump_only=True)
    name = fields.Str(required=True, validate=validate.Length(1, 120))


class StaffMemberSchema(Schema):
    """A colleague as other staff see them: a name and a team, no contacts."""

    id = fields.Int()
    display_name = fields.Str()
    organisation = fields.Nested(OrganisationSchema, allow_none=True)


class UserSchema(Schema):
    """An account as its owner and admins see it (never the password hash)."""

    id = fields.Int(dump_only=True)
    display_name = fields.Str(required=True, validate=validate.Length(1, 80))
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    phone = fields.Str(allow_none=True, validate=PHONE)
    role = fields.Enum(Role, by_value=True, dump_only=True)
    organisation = fields.Nested(OrganisationSchema, dump_only=True, allow_none=True)
    language = fields.Enum(Language, by_value=True)
    active = fields.Bool(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    last_login_at = fields.DateTime(dump_only=True)


class UserCreateSchema(UserSchema):
    role = fields.Enum(Role, by_value=True, required=True)
    password = fields.Str(required=True, load_only=True, validate=validate.Length(10, 200))
    organisation_id = fields.Int(allow_none=True, load_only=True)
    language = fields.Enum(Language, by_value=True, load_default=Language.KO)


class UserUpdateSchema(Schema):
    """What an admin may change; every field optional."""

    display_name = fields.Str(validate=validate.Length(1, 80))
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    phone = fields.Str(allow_none=True, validate=PHONE)
    role = fields.Enum(Role, by_value=True)
    organisation_id = fields.Int(allow_none=True)
    language = fields.Enum(Language, by_value=True)
    active = fields.Bool()
    password = fields.Str(load_only=True, validate=validate.Length(10, 200))


class UserQuerySchema(Schema):
    role = fields.Enum(Role, by_value=True)
    q = fields.Str(validate=validate.Length(1, 80))


class ProfileUpdateSchema(Schema):
    """What anyone may change on their own account."""

    display_name = fields.Str(validate=validate.Length(1, 80))
    language = fields.Enum(Language, by_value=True)


class PasswordChangeSchema(Schema):
    current_password = fields.Str(required=True, load_only=True)
    new_password = fields.Str(required=True, load_only=True, validate=validate.Length(10, 200))


class LoginSchema(Schema):
    login = fields.Str(required=True, validate=validate.Length(1, 254), metadata={"description": "Email or phone number"})
    password = fields.Str(required=True, load_only=True, validate=validate.Length(1, 200))
    remember = fields.Bool(load_default=False)


class DeviceSchema(Schema):
    id = fields.Int()
    first_seen_at = fields.DateTime()


class IdentitySchema(Schema):
    """Who the server thinks is asking, plus the CSRF token for this session."""

    user = fields.Nested(UserSchema, allow_none=True)
    device = fields.Nested(DeviceSchema, allow_none=True)
    csrf_token = fields.Str()
