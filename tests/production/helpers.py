"""Running the project with production settings in a subprocess."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def production_env(**overrides: str) -> dict[str, str]:
    """The environment a production server would have: a strong secret key,
    real host names, JSON logs; the database and Redis of this test run."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECRET_KEY", "ALLOWED_HOSTS"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bookclub.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "club.example.org",
            "CSRF_TRUSTED_ORIGINS": "https://club.example.org",
        }
    )
    env.update(overrides)
    return env


def run_python(
    args: list[str], env: dict[str, str], timeout: int = 120
) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
