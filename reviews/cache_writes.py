"""Cache writes held during a build and sent together when it ends.

A cold build of a shared response wrote to the cache three times after
reading it: the anonymous bodies it rendered (reviews/api/item_cache.py),
the entry it built, then the release of its build lock
(reviews/response_cache/builds.py). With Redis each write is a round trip,
and on a busy machine each round trip is a wait for the Redis process to
be scheduled. Inside :func:`batched` they are held, in order, and sent as
one Redis pipeline when the block ends (exception or not), so a build
writes once.

Django's cache API has no batch of mixed writes, so this speaks to
Django's own Redis backend (``django.core.cache.backends.redis.RedisCache``
and its subclasses) through its client, the way its ``set_many`` does. Any
other backend, a pipeline that fails, or a backend that says it is down
gets the writes one by one through the cache's own methods, as before.
Only writes are held: a read inside the block goes to the cache at once,
so nothing may read a key it wrote in the same block expecting to see it.

:func:`get_or_add` is the other end of a build: the read of a response's
copy and, where there is none, the taking of its build lock, in one round
trip (a script Redis runs as one command) instead of two.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import NoScriptError

#: ("set", key, value, timeout) or ("delete", key, None, None), in order.
Write = tuple[str, str, Any, Any]

_held: ContextVar[list[Write] | None] = ContextVar("reviews_cache_writes", default=None)


@contextmanager
def batched() -> Iterator[None]:
    """Hold the writes made through this module until the block ends, then
    send them together. Nested blocks send with the outermost."""
    if _held.get() is not None:
        yield
        return
    held: list[Write] = []
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
        if held:
            _send(held)


def set_many(data: dict[str, Any], timeout: int | None) -> None:
    """``cache.set_many(data, timeout)``, held inside :func:`batched`."""
    held = _held.get()
    if held is None:
        cache.set_many(data, timeout=timeout)
        return
    held.extend(("set", key, value, timeout) for key, value in data.items())


def set(key: str, value: Any, timeout: int | None) -> None:  # noqa: A001 (as the cache's)
    """``cache.set(key, value, timeout)``, held inside :func:`batched`."""
    set_many({key: value}, timeout)


def delete(key: str) -> None:
    """``cache.delete(key)``, held inside :func:`batched`."""
    held = _held.get()
    if held is None:
        cache.delete(key)
        return
    held.append(("delete", key, None, None))


#: GET KEYS[1]; where it holds nothing, SET KEYS[2] ARGV[1] NX EX ARGV[2].
#: Answers {value or nil, 1 if the lock was taken else 0}.
_GET_OR_ADD = """
local value = redis.call('GET', KEYS[1])
if value then return {value, 0} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'EX', ARGV[2]) then
    return {false, 1}
end
return {false, 0}
"""
_GET_OR_ADD_SHA = hashlib.sha1(_GET_OR_ADD.encode()).hexdigest()  # noqa: S324 (Redis's name for it)


def get_or_add(key: str, lock: str, token: str, timeout: int) -> tuple[Any, bool]:
    """``cache.get(key)`` and, if that finds nothing, ``cache.add(lock,
    token, timeout)``: the value (None if none) and whether the lock was
    taken. With Redis, one round trip; with any other backend, or if the
    script fails, the two calls (and, where the lock is taken, a third to
    read whose it is: the failed script may have taken it)."""
    backend = _reachable_redis()
    script_failed = False
    if backend is not None:
        try:
            return _script_get_or_add(backend, key, lock, token, timeout)
        except Exception:  # noqa: BLE001
            script_failed = True  # asked again below, through the cache's own methods
    value = cache.get(key)
    if value is not None:
        return value, False
    if cache.add(lock, token, timeout=timeout):
        return None, True
    # A script whose answer was lost (a timeout) may have run: the lock it
    # took under this token is this client's, not one to wait out.
    return None, script_failed and cache.get(lock) == token


def _script_get_or_add(
    backend: RedisCache, key: str, lock: str, token: str, timeout: int
) -> tuple[Any, bool]:
    client = backend._cache  # Django's RedisCacheClient
    serializer = client._serializer  # type: ignore[attr-defined]
    redis_client = client.get_client(None, write=True)
    arguments = (
        2,
        backend.make_and_validate_key(key),
        backend.make_and_validate_key(lock),
        serializer.dumps(token),
        int(timeout),
    )
    reply: Any
    try:
        reply = redis_client.evalsha(_GET_OR_ADD_SHA, *arguments)
    except NoScriptError:  # a Redis that has not seen it yet, or was restarted
        reply = redis_client.eval(_GET_OR_ADD, *arguments)
    value, taken = reply
    return (None if value is None else serializer.loads(value)), bool(taken)


def _reachable_redis() -> RedisCache | None:
    """The default cache if it is Django's Redis backend (or one built on
    it) and does not say Redis is down; None otherwise."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache) and not getattr(backend, "is_down", False):
        return backend
    return None


def _send(writes: list[Write]) -> None:
    backend = _reachable_redis()
    if backend is not None and len(writes) > 1:
        try:
            _pipeline(backend, writes)
            return
        except Exception:  # noqa: BLE001, S110
            # Sent again one by one below: the cache's own methods decide
            # what an error means (bookclub's backend turns an outage into
            # dropped writes). Both writes are idempotent.
            pass
    for kind, key, value, timeout in writes:
        if kind == "set":
            cache.set(key, value, timeout=timeout)
        else:
            cache.delete(key)


def _pipeline(backend: RedisCache, writes: list[Write]) -> None:
    """The writes as one pipeline (not a transaction: Redis runs them in
    order, and a reader sees each as it lands, as with separate calls),
    what ``RedisCacheClient.set`` and ``delete`` send, key for key."""
    client = backend._cache  # Django's RedisCacheClient
    pipeline = client.get_client(None, write=True).pipeline(transaction=False)
    for kind, key, value, timeout in writes:
        name = backend.make_and_validate_key(key)
        if kind == "delete":
            pipeline.delete(name)
            continue
        seconds = backend.get_backend_timeout(timeout)
        if seconds == 0:
            pipeline.delete(name)
        else:
            value = client._serializer.dumps(value)  # type: ignore[attr-defined]
            pipeline.set(name, value, ex=None if seconds is None else int(seconds))
    pipeline.execute()
