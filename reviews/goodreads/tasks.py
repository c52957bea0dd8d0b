"""The admin's Goodreads import, run in the background.

A large export with publishing takes longer than a web worker may hold a
request, so the admin view only stores a :class:`~reviews.models.GoodreadsImportJob`
(with the uploaded file) and enqueues :func:`run_import`; the job page shows
the report when it is done. ``manage.py import_goodreads`` still imports in
the foreground.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .importer import import_export

logger = logging.getLogger(__name__)


def enqueue_import(job) -> None:
    """Run ``job`` once the transaction that created it has committed."""
    transaction.on_commit(lambda pk=job.pk: run_import.enqueue(job_id=pk))


@task()
def run_import(job_id: int) -> None:
    """Import a stored upload and keep the report, or the error, on the job.

    Never raises for a failed import: the job records what happened and keeps
    the file, so the editor sees the reason and nothing they sent is lost.
    """
    from ..models import GoodreadsImportJob

    Status = GoodreadsImportJob.Status
    claimed = GoodreadsImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return  # gone, or already taken by another worker
    job = GoodreadsImportJob.objects.select_related("member", "requested_by").get(
        pk=job_id
    )
    try:
        report = import_export(
            bytes(job.source),
            job.member,
            publish=job.publish,
            dry_run=job.dry_run,
            acting_user=job.requested_by,
        )
    except Exception as error:
        logger.exception("Goodreads import job %d failed", job_id)
        job.status = Status.FAILED
        job.error = f"{type(error).__name__}: {error}"[:2000]
    else:
        job.status = Status.DONE
        job.report = report.to_dict()
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "report", "finished_at"])
