"""Web Push: the server's VAPID key and residents' subscriptions."""

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from server.accounts.auth import current_account, current_device
from server.alerts import subscriptions, vapid
from server.api.schemas.alerts import EndpointSchema, SubscriptionOutSchema, SubscriptionSchema, SubscriptionUpdateSchema, VapidKeySchema

URL_PREFIX = "/push"
blp = Blueprint("push", __name__, description="Web Push subscriptions (RFC 8030/8291/8292)")


@blp.route("/vapid-public-key")
@blp.response(200, VapidKeySchema)
def vapid_public_key():
    """The `applicationServerKey` to subscribe with."""
    return {"public_key": vapid.public_key()}


def _identity():  # type: ignore[no-untyped-def]
    device, user = current_device(), current_account()
    if device is None and user is None:
        abort(401, message="Send X-Device-Key or log in.")
    return device, user


@blp.route("/subscriptions")
class Subscriptions(MethodView):
    @blp.arguments(SubscriptionSchema)
    @blp.response(201, SubscriptionOutSchema)
    @blp.alt_response(200, schema=SubscriptionOutSchema, description="This endpoint was known: what it follows is replaced")
    def post(self, body):
        """Subscribe this browser (or replace what it follows): one subscription per endpoint."""
        device, user = _identity()
        subscription, created = subscriptions.upsert(body, device=device, user=user)
        return subscription, 201 if created else 200

    @blp.arguments(SubscriptionUpdateSchema)
    @blp.response(200, SubscriptionOutSchema)
    def put(self, body):
        """Change part of what a subscription follows, e.g. refresh "where I am"."""
        _identity()
        return subscriptions.update(body)

    @blp.arguments(EndpointSchema)
    @blp.response(204)
    def delete(self, body):
        """Unsubscribe."""
        _identity()
        subscriptions.delete(body["endpoint"])
