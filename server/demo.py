"""The demo district: generated accounts, facilities and reports (more as capabilities land)
so that a fresh ``ansim run --demo`` shows a working service.

Demo passwords are random per database and kept in the instance folder, so
a demo database left running somewhere is not open to a published password.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from server.accounts import service
from server.accounts.models import Language, Organisation, Role, User
from server.extensions import db
from server.facilities.demo import seed_demo_facilities
from server.reports.demo import seed_demo_reports
from server.routing.demo import seed_demo_streets

DEMO_ORGANISATIONS = ("성북구청 안전관제센터", "성북 자율방범대 (데모)")
DEMO_ACCOUNTS = (
    # role, display name, email, organisation index
    (Role.ADMIN, "관리자 데모", "admin@demo.ansim.kr", 0),
    (Role.OPERATOR, "관제요원 데모", "operator@demo.ansim.kr", 0),
    (Role.GUARD, "순찰대원 데모", "guard@demo.ansim.kr", 1),
    (Role.RESIDENT, "주민 데모", "resident@demo.ansim.kr", None),
)


@dataclass
class DemoReport:
    created: bool
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # role, email, password
    district: str = ""
    facilities: int = 0
    reports: int = 0
    streets: int = 0

    def describe(self) -> str:
        lines = [
            f"안심 데모 · Ansim demo — {self.district}"
            + ("" if self.created else " (already set up / 이미 준비됨)"),
            "Open http://127.0.0.1:5000 (resident app), /console (operators), /guard (guards).",
            "로그인 / Log in at /login with:",
        ]
        lines += [f"  {role:<9} {email:<26} {password}" for role, email, password in self.accounts]
        if self.facilities:
            lines.append(f"Generated {self.facilities} demo facilities (bells, CCTV, lights, safe houses, police).")
        if self.reports:
            lines.append(f"Generated {self.reports} demo reports of the last month, in every state.")
        if self.streets:
            lines.append(f"Generated a demo street graph of {self.streets} edges for walking routes.")
        return "\n".join(lines)


def _secrets_file() -> Path:
    return Path(current_app.instance_path) / "demo-accounts.json"


def seed_demo() -> DemoReport:
    """Create the demo accounts on a database that has none; say how to log in."""
    config = current_app.config
    report = DemoReport(created=False, district=f"{config['DISTRICT_NAME']} ({config['DISTRICT_NAME_EN']})")
    path = _secrets_file()
    kept = json.loads(path.read_text()) if path.exists() else {}
    has_users = db.session.scalar(sa.select(sa.func.count()).select_from(User)) > 0
    if not has_users:
        organisations = [_organisation(name) for name in DEMO_ORGANISATIONS]
        kept = {}
        for role, name, email, org in DEMO_ACCOUNTS:
            password = "demo-" + secrets.token_urlsafe(9)
            service.create_user(
                display_name=name,
                email=email,
                password=password,
                role=role,
                organisation_id=organisations[org].id if org is not None else None,
                language=Language.KO,
            )
            kept[email] = password
        _write_private(path, json.dumps(kept, ensure_ascii=False, indent=2))
        report.created = True
    report.facilities = seed_demo_facilities(config["MAP_CENTER"], config["DISTRICT_CODE"], config["DISTRICT_NAME"], config["DISTRICT_NAME_EN"])
    report.reports = seed_demo_reports(config["MAP_CENTER"])
    report.streets = seed_demo_streets(config["MAP_CENTER"])
    for role, _, email, _ in DEMO_ACCOUNTS:
        if email in kept:
            report.accounts.append((role.value, email, kept[email]))
    return report


def _organisation(name: str) -> Organisation:
    existing = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
    return existing or service.create_organisation(name)


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
