"""A Redis cache that degrades to a miss when Redis is unreachable.

Django's ``RedisCache`` raises on connection errors, which turns a cache
outage into error pages. The site only uses the cache to go faster, so while
Redis is down every read is a miss, every write is dropped, and the site
keeps serving, slower. After a failure the backend stops trying for a few
seconds (``DOWN_RETRY_SECONDS`` in ``OPTIONS``) so that requests do not each
pay for a connection attempt. Its client is built once, not on every call
(:class:`ReusingRedisCacheClient`).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

#: Errors that mean "Redis cannot be reached", as opposed to a bad command.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    OSError,
)


def _degrades_to(fallback: Callable[..., Any]) -> Callable:
    """Wrap a ``RedisCache`` method: while Redis is unreachable, answer
    ``fallback(*args, **kwargs)`` instead of raising."""

    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        def wrapper(self: ResilientRedisCache, *args: Any, **kwargs: Any) -> Any:
            if self.is_down:
                return fallback(*args, **kwargs)
            try:
                result = method(self, *args, **kwargs)
            except UNAVAILABLE_ERRORS as error:
                self._mark_down(error)
                return fallback(*args, **kwargs)
            if self._down_until:
                self._mark_up()
            return result

        return wrapper

    return decorate


def _missing_key(key: str, *args: Any, **kwargs: Any) -> Any:
    # incr/decr on a key that is not there raise ValueError; while Redis is
    # down no key is there, and callers of incr already handle that.
    raise ValueError(f"Key {key!r} not found (cache unavailable).")


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one ``redis.Redis`` per connection pool.

    Django's builds a new ``redis.Redis`` for every cache call, which costs
    more than the round trip to a local Redis. A ``redis.Redis`` is
    thread-safe and takes its connections from the pool, so one per pool
    does the same work.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's own private helpers, which its stubs do not declare.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            make = self._client  # type: ignore[attr-defined]
            client = self._clients[id(pool)] = make(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """``RedisCache`` whose every operation turns an outage into a miss."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("DOWN_RETRY_SECONDS", 5))
        # Fail fast: a cache that takes seconds to answer is worse than none.
        options.setdefault("socket_connect_timeout", 0.25)
        options.setdefault("socket_timeout", 0.5)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _mark_down(self, error: Exception) -> None:
        with self._lock:
            was_up = self._down_until == 0.0
            self._down_until = time.monotonic() + self.retry_after
        if was_up:
            logger.warning(
                "Redis cache unavailable, serving without it: %s",
                error,
                extra={"cache_event": "down"},
            )

    def _mark_up(self) -> None:
        with self._lock:
            self._down_until = 0.0
        logger.warning("Redis cache reachable again.", extra={"cache_event": "up"})

    # Reads are misses.
    get = _degrades_to(lambda key, default=None, version=None: default)(RedisCache.get)
    get_many = _degrades_to(lambda *args, **kwargs: {})(RedisCache.get_many)
    has_key = _degrades_to(lambda *args, **kwargs: False)(RedisCache.has_key)
    incr = _degrades_to(_missing_key)(RedisCache.incr)
    # Writes are dropped.
    add = _degrades_to(lambda *args, **kwargs: False)(RedisCache.add)
    set = _degrades_to(lambda *args, **kwargs: None)(RedisCache.set)
    set_many = _degrades_to(lambda data, *args, **kwargs: list(data))(
        RedisCache.set_many
    )
    touch = _degrades_to(lambda *args, **kwargs: False)(RedisCache.touch)
    delete = _degrades_to(lambda *args, **kwargs: False)(RedisCache.delete)
    delete_many = _degrades_to(lambda *args, **kwargs: None)(RedisCache.delete_many)
    clear = _degrades_to(lambda *args, **kwargs: False)(RedisCache.clear)
