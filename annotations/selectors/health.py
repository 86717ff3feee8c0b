"""The state of the services this process depends on."""

from django.conf import settings
from django.db import connection

from factcheck.celery import app


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception:
        return "unreachable"


def broker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
        return "ok"
    except Exception:
        return "unreachable"


def health_report() -> dict[str, str]:
    database, broker = database_state(), broker_state()
    healthy = database == "ok" and broker in ("ok", "in-process")
    return {"status": "ok" if healthy else "degraded", "database": database, "broker": broker}
