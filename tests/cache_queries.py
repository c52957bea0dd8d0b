"""What a response served from the server's cache costs in queries."""

#: One indexed read of the versions of the response's cache tags
#: (reviews/response_cache.py), so that a change committed by any process
#: retires it at once; nothing is rendered.
SERVED_FROM_CACHE = 1
