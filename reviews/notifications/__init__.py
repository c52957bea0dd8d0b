"""Email notifications that never spoil.

* :mod:`.preferences` — who wants to hear about what (follows, settings);
* :mod:`.events` — club events become :class:`~reviews.models.Notification` rows;
* :mod:`.emails` — each email written for its recipient's progress, through
  the one spoiler rule (:mod:`reviews.spoilers`);
* :mod:`.tasks` — sending, in the background with django-tasks;
* :mod:`.unsubscribe` — signed one-click unsubscribe links (RFC 8058).
"""
