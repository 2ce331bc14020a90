"""What the app opens at start-up and closes at shut-down: engine, Redis clients, limiters, token and cookie tools."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg
from limits.aio.storage import RedisClusterStorage, RedisStorage
from limits.aio.storage.redis.redispy import RedispyBridge
from redis.asyncio import Redis, RedisCluster
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from auth.config import Settings
from auth.db import make_engine, make_sessionmaker
from auth.denylist_sync import DenylistSync
from auth.emails import AccountEmails, EmailTemplates
from auth.housekeeping import Housekeeping
from auth.mailer import Mailer, SmtpTransport
from auth.outbox import OutboxRelay
from auth.passwords import PasswordHasher
from auth.ratelimit import AccountRateLimiter, LoginRateLimiter
from auth.session_cookie import SessionCookie
from todo_shared.denylist import Denylist
from todo_shared.postgres import open_pool
from todo_shared.redis import RedisClient, client_options, open_redis, open_redis_pool, parse_cluster_url
from todo_shared.tokens import TokenSigner, TokenVerifier

__all__ = ["Runtime", "open_runtime"]


@dataclass(frozen=True, slots=True)
class Runtime:
    """The app's long-lived resources, handed to requests through lifespan state."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    read_pool: asyncpg.Pool
    redis: RedisClient
    denylist: Denylist
    signer: TokenSigner
    verifier: TokenVerifier
    passwords: PasswordHasher
    rate_limiter: LoginRateLimiter
    account_limiter: AccountRateLimiter
    session_cookie: SessionCookie
    emails: AccountEmails
    outbox: OutboxRelay


_FIRST_SYNC_SECONDS = 5.0
_MAIL_DRAIN_SECONDS = 2.0


def _limits_storage(settings: Settings) -> RedisStorage:
    """The rate limits' storage on the same Redis (or cluster), with the same timeouts and retry as every client."""
    if parse_cluster_url(settings.redis_url) is not None:
        return RedisClusterStorage(
            f"async+{settings.redis_url}",  # limits reads async+redis+cluster://host:port,... itself
            implementation="redispy",
            wrap_exceptions=True,
            key_prefix="ratelimit:auth",
            **client_options(settings.redis_timeout_seconds),
        )
    # limits wants raw (undecoded) replies, so it gets a pool of its own.
    pool = open_redis_pool(settings.redis_url, timeout_seconds=settings.redis_timeout_seconds)
    return RedisStorage(
        f"async+{settings.redis_url}",
        implementation="redispy",
        wrap_exceptions=True,
        key_prefix="ratelimit:auth",
        connection_pool=pool,  # type: ignore[arg-type]  # passed through to redis-py, typed too narrowly
    )


async def _close_limits(storage: RedisStorage) -> None:
    # limits has no close of its own: close the client its bridge holds (and, on one server, our pool under it).
    bridge = storage.bridge
    assert isinstance(bridge, RedispyBridge)  # implementation="redispy"
    client = bridge.get_connection()
    assert isinstance(client, Redis | RedisCluster)
    await client.aclose()
    if isinstance(client, Redis):
        await client.connection_pool.disconnect()


@asynccontextmanager
async def open_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """Open every resource (no connection is made until first use) and close them all on exit."""
    secret = settings.jwt_secret.get_secret_value()
    engine = make_engine(settings)
    read_pool = await open_pool(
        settings.database_url,
        min_size=0,
        max_size=settings.db_read_pool_size,
        connect_timeout=settings.db_connect_timeout_seconds,
        command_timeout=settings.db_command_timeout_seconds,
        **settings.asyncpg_statement_options,
    )
    redis = open_redis(settings.redis_url, timeout_seconds=settings.redis_timeout_seconds)
    storage = _limits_storage(settings)
    # A revocation waits for a replica's confirmation half the command timeout, so the WAIT ends before the socket
    # gives up on it.
    denylist = Denylist(
        redis, ttl_seconds=settings.denylist_ttl_seconds, wait_seconds=settings.redis_timeout_seconds / 2
    )
    sync = DenylistSync(engine, denylist, interval_seconds=settings.denylist_sync_interval_seconds)
    # One pass before serving, so a fresh or emptied Redis is indexed before the first request; bounded, because
    # the service must start (and say it is not ready) while PostgreSQL or Redis is down.
    try:
        await asyncio.wait_for(sync.attempt(), timeout=_FIRST_SYNC_SECONDS)
    except TimeoutError:
        pass
    sessionmaker = make_sessionmaker(engine)
    mailer = Mailer(
        SmtpTransport(settings.smtp_url, timeout_seconds=settings.smtp_timeout_seconds),
        queue_size=settings.mail_queue_size,
        max_attempts=settings.mail_max_attempts,
        retry_base_seconds=settings.mail_retry_base_seconds,
        workers=settings.mail_workers,
    )
    relay = OutboxRelay(
        engine,
        redis,
        stream=settings.user_events_stream,
        maxlen=settings.user_events_stream_maxlen,
        interval_seconds=settings.outbox_relay_interval_seconds,
        retention_seconds=settings.housekeeping_retention_seconds,
    )
    housekeeping = Housekeeping(
        engine,
        interval_seconds=settings.housekeeping_interval_seconds,
        retention_seconds=settings.housekeeping_retention_seconds,
        token_lifetime_seconds=settings.denylist_ttl_seconds,
    )
    passwords = PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_cost,
        parallelism=settings.argon2_parallelism,
        workers=settings.password_hash_workers,
    )
    mailer.start()
    tasks = [
        asyncio.create_task(sync.run(), name="denylist-sync"),
        asyncio.create_task(relay.run(), name="outbox-relay"),
        asyncio.create_task(housekeeping.run(), name="housekeeping"),
    ]
    try:
        yield Runtime(
            settings=settings,
            engine=engine,
            sessionmaker=sessionmaker,
            read_pool=read_pool,
            redis=redis,
            denylist=denylist,
            signer=TokenSigner(
                secret=secret,
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
                lifetime_seconds=settings.access_token_ttl_seconds,
            ),
            verifier=settings.token_verifier(),
            passwords=passwords,
            rate_limiter=LoginRateLimiter(
                storage, ip_limit=settings.login_ip_limit, failure_limit=settings.login_failure_limit
            ),
            account_limiter=AccountRateLimiter(
                storage,
                email_send_limit=settings.email_send_limit,
                password_check_limit=settings.change_password_limit,
            ),
            session_cookie=SessionCookie(
                secret=secret, secure=settings.secure_cookies, max_age_seconds=settings.session_ttl_seconds
            ),
            emails=AccountEmails(
                mailer,
                EmailTemplates(mail_from=settings.mail_from, app_url=settings.public_app_url),
                sessionmaker,
                settings,
            ),
            outbox=relay,
        )
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await mailer.stop(drain_seconds=_MAIL_DRAIN_SECONDS)
        passwords.close()
        await _close_limits(storage)
        await redis.aclose()
        await read_pool.close()
        await engine.dispose()
