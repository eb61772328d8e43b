"""``ansim vapid show|rotate``: the Web Push key pair; ``ansim worker``: a sender."""

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

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


@click.command("worker")
@click.option("--concurrency", type=click.IntRange(1, 10_000), default=None, help="Pushes in flight at once (default: ANSIM_PUSH_CONCURRENCY).")
@click.option("--exit-when-empty", is_flag=True, help="Stop when nothing is queued, retries included, instead of waiting for more.")
@with_appcontext
def worker_command(concurrency: int | None, exit_when_empty: bool) -> None:
    """Send queued warnings by Web Push until stopped. Run as many as you like,
    on as many machines: they share the queue. SIGTERM or Ctrl-C lets the
    pushes in flight finish first; a worker killed outright leaves its claimed
    pushes to the others after ANSIM_PUSH_LEASE_SECONDS."""
    from server.alerts.worker import run_worker

    stats = run_worker(current_app._get_current_object(), concurrency=concurrency, until="empty" if exit_when_empty else "stopped")  # type: ignore[attr-defined]
    click.echo(", ".join(f"{n} {outcome}" for outcome, n in sorted(stats.items())) or "nothing to send")
