"""The server's shared copies of whole public responses (pages and the API).

- :mod:`.store`: entries, their freshness against the database's tag
  versions, the copies a process keeps in its memory;
- :mod:`.builds`: one build per key, and serving a late copy meanwhile;
- :mod:`.policy`: what a kind of response decides (who may get the shared
  copy, under which key, with which headers); :mod:`.pages` and :mod:`.api`
  are the two kinds;
- :mod:`.middleware`: the one path that looks a copy up, builds it once and
  serves it.
"""

from .store import Entry, find, forget_local, lookup

__all__ = ["Entry", "find", "forget_local", "lookup"]
