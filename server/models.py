"""Every model, imported in one place so the metadata (and Alembic) sees them all."""

from server.accounts.models import Device, Organisation, User
from server.alerts.models import Alert, Delivery, PushSubscription, SubscriptionArea
from server.facilities.models import AdminArea, DataVersion, Facility
from server.reports.models import Report, ReportEvent, ReportPhoto
from server.routing.models import SafePath

__all__ = [
    "AdminArea",
    "Alert",
    "DataVersion",
    "Delivery",
    "Device",
    "Facility",
    "Organisation",
    "PushSubscription",
    "Report",
    "ReportEvent",
    "ReportPhoto",
    "SafePath",
    "SubscriptionArea",
    "User",
]
