"""Pause points inside background tasks, for the fault tests only.

Inert unless the TASK_CHECKPOINT_DIR setting names a directory. A fault test creates
`<dir>/<name>.hold`; a task reaching `checkpoint(name)` then writes `<dir>/<name>.reached`
and waits while the hold file exists. That lets the test kill a worker in the middle of
a task at a moment it chooses, instead of guessing with a timer.
"""

import time
from pathlib import Path

from django.conf import settings


def checkpoint(name: str) -> None:
    directory = settings.TASK_CHECKPOINT_DIR
    if not directory:
        return
    hold = Path(directory, f"{name}.hold")
    if not hold.exists():
        return
    Path(directory, f"{name}.reached").touch()
    while hold.exists():
        time.sleep(0.05)
