"""The time, in one place: services that depend on it (review leases) read it from here, so
tests move it forward instead of waiting."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
