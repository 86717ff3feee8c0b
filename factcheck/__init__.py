"""The factcheck project: settings, URLs and the Celery app (factcheck.celery)."""
