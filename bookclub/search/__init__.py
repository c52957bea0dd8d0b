"""The club's adjustments to Wagtail's database search backends.

modelsearch ranks by annotating every candidate page with a score computed in
a correlated subquery (SQLite) or over an unindexed ``title || body`` vector
(PostgreSQL). Both grow with the number of matches times the size of the
index. Here a plain search is answered in three steps instead:

1. rank the matching index entries on the index table alone (FTS5's ``bm25``
   on SQLite, ``ts_rank`` with the GIN index on ``title || body`` on
   PostgreSQL), title matches first;
2. keep those the searched queryset contains (one ``pk IN`` query, with the
   ids or, for thousands of matches, the match as a subquery), which also
   gives the exact count;
3. fetch only the requested page of objects.

See :mod:`bookclub.search.ranked` for the shared part and the vendor modules
for step 1.
"""
