"""``todo-auth``: the auth service's admin command.

    todo-auth users list [--disabled]
    todo-auth users disable EMAIL     # every session and token of the account dies at once, sign-in is refused
    todo-auth users enable EMAIL

It reads DATABASE_URL and REDIS_URL (and the access-token lifetime) like the service, and needs no JWT secret.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from auth import accounts
from auth.config import AdminSettings
from auth.models import User
from todo_shared.denylist import Denylist
from todo_shared.errors import AppError
from todo_shared.redis import REDIS_ERRORS, open_redis
from todo_shared.settings import load_settings

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="todo-auth", description="Administer the auth service's accounts.")
    commands = parser.add_subparsers(dest="area", required=True)
    users = commands.add_parser("users", help="list, disable or enable accounts").add_subparsers(
        dest="command", required=True
    )
    listing = users.add_parser("list", help="print every account (email, id, state, verified, created)")
    listing.add_argument("--disabled", action="store_true", help="only disabled accounts")
    for name, what in (
        ("disable", "sign the account out everywhere and refuse its sign-ins"),
        ("enable", "allow it again"),
    ):
        users.add_parser(name, help=what).add_argument("email")
    return parser


async def _list(db: AsyncSession, *, disabled_only: bool) -> None:
    query = select(User).order_by(User.created_at, User.email)
    if disabled_only:
        query = query.where(User.is_active.is_(False))
    rows = (await db.scalars(query)).all()
    print(f"{'email':40} {'id':36} {'state':8} {'verified':8} created")  # noqa: T201 - the command's output
    for user in rows:
        state = "active" if user.is_active else "disabled"
        verified = "yes" if user.email_verified else "no"
        print(f"{user.email:40} {user.id!s:36} {state:8} {verified:8} {user.created_at:%Y-%m-%d %H:%M}")  # noqa: T201
    print(f"{len(rows)} account(s)")  # noqa: T201


async def _run(args: argparse.Namespace, settings: AdminSettings) -> int:
    engine = create_async_engine(settings.database_url, connect_args=settings.sqlalchemy_statement_options)
    redis = open_redis(settings.redis_url, timeout_seconds=settings.redis_timeout_seconds)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as db:
            if args.command == "list":
                await _list(db, disabled_only=args.disabled)
                return 0
            denylist = Denylist(redis, ttl_seconds=settings.denylist_ttl_seconds)
            active = args.command == "enable"
            user = await accounts.set_active(db, denylist=denylist, email=args.email.strip().lower(), active=active)
            print(f"{user.email} ({user.id}) {'enabled' if active else 'disabled'}")  # noqa: T201
            return 0
    except AppError as exc:
        # A disabling whose denylist write failed is still recorded: auth's denylist sync indexes it within a second.
        print(f"todo-auth: {exc.detail}", file=sys.stderr)  # noqa: T201
        return 1
    except (SQLAlchemyError, *REDIS_ERRORS, OSError) as exc:
        print(f"todo-auth: cannot reach the database or Redis: {exc.__cause__ or exc}", file=sys.stderr)  # noqa: T201
        return 2
    finally:
        await redis.aclose()
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    return asyncio.run(_run(args, load_settings(AdminSettings)))


if __name__ == "__main__":
    raise SystemExit(main())
