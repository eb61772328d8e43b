"""The ``ansim`` command: Flask's run, routes and shell, plus Ansim's own.

``ansim run`` upgrades the database before serving; ``ansim run --demo`` also
fills an empty database with the demo district and prints how to log in.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup, FlaskGroup, ScriptInfo, pass_script_info, routes_command, run_command, shell_command, with_appcontext
from flask_migrate import upgrade

from server.accounts.models import Language, Role
from server.version import __version__


def _create_app() -> Flask:
    from server import create_app

    return create_app()


class AnsimGroup(FlaskGroup):
    """FlaskGroup whose ``run`` upgrades the database first."""

    def __init__(self, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(create_app=_create_app, add_default_commands=False, add_version_option=False, **kwargs)
        self.add_command(run)
        self.add_command(shell_command)
        self.add_command(routes_command)


@click.command("run", help=f"Upgrade the database, then serve the app.\n\n{run_command.help}")
@click.option("--demo", is_flag=True, help="Fill an empty database with the demo district and accounts.")
@pass_script_info
@click.pass_context
def run(ctx: click.Context, info: ScriptInfo, demo: bool, **kwargs) -> None:  # type: ignore[no-untyped-def]
    app = info.load_app()
    with app.app_context():
        upgrade()
        if demo:
            from server.demo import seed_demo

            report = seed_demo()
            click.echo(report.describe())
    ctx.invoke(run_command, **kwargs)


run.params.extend(p for p in run_command.params if p.name != "demo")

main = AnsimGroup(help="Ansim (안심) — resident-safety service for a district.")
click.version_option(__version__, prog_name="ansim")(main)


def register_commands(app: Flask) -> None:
    from server.alerts.cli import vapid_group, worker_command
    from server.facilities.cli import import_group

    app.cli.add_command(user_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(import_group)
    app.cli.add_command(vapid_group)
    app.cli.add_command(worker_command)


user_group = AppGroup("user", help="Manage accounts.")


@user_group.command("create")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", "display_name", required=True, help="Display name, e.g. 김관제")
@click.option("--email", default=None)
@click.option("--phone", default=None)
@click.option("--organisation", "organisation_name", default=None, help="Organisation name; created if new")
@click.option("--language", type=click.Choice([lang.value for lang in Language]), default="ko")
@click.password_option(help="Asked for when not given (recommended).")
def user_create(role, display_name, email, phone, organisation_name, language, password) -> None:  # type: ignore[no-untyped-def]
    """Create an account; the password is asked for twice, never echoed."""
    import sqlalchemy as sa

    from server.accounts import service
    from server.accounts.models import Organisation
    from server.errors import ServiceError
    from server.extensions import db

    organisation_id = None
    try:
        if organisation_name:
            organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == organisation_name))
            organisation = organisation or service.create_organisation(organisation_name)
            organisation_id = organisation.id
        user = service.create_user(
            display_name=display_name,
            password=password,
            role=Role(role),
            email=email,
            phone=phone,
            organisation_id=organisation_id,
            language=Language(language),
        )
    except ServiceError as error:
        raise click.ClickException(_describe(error)) from None
    click.echo(f"Created {user.role.value} #{user.id} {user.display_name} <{user.email or user.phone}>")


@user_group.command("list")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=None)
def user_list(role) -> None:  # type: ignore[no-untyped-def]
    """List accounts."""
    from server.accounts import service
    from server.extensions import db

    for user in db.session.scalars(service.list_users(Role(role) if role else None)):
        state = "" if user.active else " (inactive)"
        click.echo(f"#{user.id}\t{user.role.value}\t{user.display_name}\t{user.email or user.phone}{state}")


@click.command("demo", help="Fill an empty, upgraded database with the demo district and accounts.")
@with_appcontext
def demo_command() -> None:
    from server.demo import seed_demo

    click.echo(seed_demo().describe())


def _describe(error) -> str:  # type: ignore[no-untyped-def]
    fields = error.errors.get("json", {}) if error.errors else {}
    details = "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items())
    return f"{error.message} {details}".strip()


__all__ = ["main", "register_commands"]
