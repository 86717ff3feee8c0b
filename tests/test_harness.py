"""`make test` stops at once, with instructions, when PostgreSQL or Redis is missing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import free_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DATABASE_URL", "postgresql://postgres@127.0.0.1:{port}/factcheck", "PostgreSQL at"),
        ("REDIS_URL", "redis://127.0.0.1:{port}/15", "Redis at"),
    ],
)
def test_unreachable_service_stops_the_run_with_how_to_start_it(
    variable: str, value: str, expected: str
) -> None:
    env = {**os.environ, variable: value.format(port=free_port())}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/api/test_errors.py", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 3
    assert expected in result.stdout + result.stderr
    assert "docker compose up -d postgres redis" in result.stdout + result.stderr
