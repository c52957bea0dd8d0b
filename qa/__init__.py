"""HTML quality gates: every page type checked by the Nu HTML Checker and
Lighthouse (see ``README.md`` in this folder)."""
