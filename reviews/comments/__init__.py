"""Discussion comments as a service: which a reader may read and how their
threads are shown (:mod:`.gate`), what members do to them (:mod:`.actions`),
and how their plain text becomes HTML (:mod:`.text`)."""
