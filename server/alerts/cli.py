"""``ansim vapid show|rotate``: the Web Push key pair."""

import click
from flask import current_app
from flask.cli import AppGroup

from server.alerts import vapid

vapid_group = AppGroup("vapid", help="The Web Push (VAPID) key pair.")


@vapid_group.command("show")
def vapid_show() -> None:
    """Print the public key browsers subscribe with (made on first use)."""
    click.echo(vapid.public_key())


@vapid_group.command("rotate")
@click.option("--yes", is_flag=True, help="Do not ask.")
def vapid_rotate(yes: bool) -> None:
    """Make a new key pair. Every existing subscription stops working:
    browsers must subscribe again with the new key (the app does so when it
    next opens)."""
    if current_app.config.get("VAPID_PRIVATE_KEY"):
        raise click.ClickException("The key comes from ANSIM_VAPID_PRIVATE_KEY; change that setting instead.")
    if not yes:
        click.confirm("Every push subscription will stop working until the browser subscribes again. Rotate?", abort=True)
    click.echo(vapid.public_key(vapid.rotate()))
