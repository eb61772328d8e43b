"""Every model, imported in one place so the metadata (and Alembic) sees them all."""

from server.accounts.models import Device, Organisation, User
from server.facilities.models import AdminArea, DataVersion, Facility
from server.reports.models import Report, ReportEvent, ReportPhoto

__all__ = ["AdminArea", "DataVersion", "Device", "Facility", "Organisation", "Report", "ReportEvent", "ReportPhoto", "User"]
