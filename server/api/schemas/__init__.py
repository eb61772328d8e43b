"""marshmallow schemas, one module per resource, with views per audience."""

from marshmallow import Schema, fields


class ErrorSchema(Schema):
    """The one error shape of the API."""

    code = fields.Int(required=True, metadata={"example": 422})
    status = fields.Str(required=True, metadata={"example": "Unprocessable Entity"})
    message = fields.Str(required=True)
    errors = fields.Dict(metadata={"description": "Field messages by location (json, query, headers…)"})
