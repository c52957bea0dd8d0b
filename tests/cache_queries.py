"""What a response served from the server's cache costs in queries."""

#: One indexed read of the versions of the response's cache tags
#: (reviews/response_cache/store.py), so that a change committed by any process
#: retires it at once; nothing is rendered.
SERVED_FROM_CACHE = 1


def served_from_cache(client, monkeypatch, path: str) -> bool:
    """Is ``path`` answered from a fresh copy in the server's cache?

    The middleware looks a copy up with :func:`store.find` or, where it may
    build one, :func:`builds.find_or_lock`; either is watched, so the answer
    does not depend on which one a request takes."""
    from reviews.response_cache import builds, store

    found = []
    for module, name in ((store, "find"), (builds, "find_or_lock")):
        original = getattr(module, name)
        monkeypatch.setattr(
            module,
            name,
            lambda key, original=original: found.append(original(key)) or found[-1],
        )
    client.get(path)
    monkeypatch.undo()
    return len(found) == 1 and found[0][0] is not None


def reads_tag_versions(sql: str) -> bool:
    """Is ``sql`` a read of cache tags' versions? They are read through the
    view ``reviews.content_version.VERSIONS_VIEW``, never from the table."""
    from reviews.content_version import VERSIONS_VIEW

    return VERSIONS_VIEW in sql
