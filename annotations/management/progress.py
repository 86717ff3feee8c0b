"""A progress bar for management commands: redrawn in place on a terminal, a line per tenth
elsewhere (so a log file stays readable)."""

import sys
import time
from typing import TextIO

WIDTH = 30


class ProgressBar:
    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.last_draw = 0.0
        self.last_tenth = -1
        self.done = 0
        self.total: int | None = None

    def __call__(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        if self.tty:
            if time.monotonic() - self.last_draw >= 0.1 or done == self.total:
                self.last_draw = time.monotonic()
                self.stream.write("\r" + self.render())
                self.stream.flush()
        elif self.total:
            tenth = done * 10 // self.total
            if tenth != self.last_tenth:
                self.last_tenth = tenth
                self.stream.write(self.render() + "\n")

    def render(self) -> str:
        total = self.total or 0
        fraction = min(1.0, self.done / total) if total else 0.0
        filled = int(fraction * WIDTH)
        bar = "#" * filled + "-" * (WIDTH - filled)
        return f"{self.label} [{bar}] {fraction:4.0%} {self.done:,}/{total:,}"

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\r" + self.render() + "\n")
            self.stream.flush()
