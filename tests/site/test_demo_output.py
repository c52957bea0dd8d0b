"""What ``make run`` shows while it loads the demo: a short report that ends
with the admin login, and the demo's emails kept in files, not printed."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def _load_demo(*args: str) -> list[str]:
    output = StringIO()
    call_command("load_demo", *args, stdout=output)
    return output.getvalue().splitlines()


def _messages(directory: Path) -> str:
    return "".join(path.read_text() for path in sorted(directory.iterdir()))


@pytest.mark.django_db(transaction=True)
def test_the_demos_emails_go_to_files_and_the_login_is_the_last_line(tmp_path):
    mail_dir = tmp_path / "demo-mail"

    lines = _load_demo("--mail-dir", str(mail_dir))

    assert mail.outbox == []
    written = _messages(mail_dir)
    assert "has been submitted for" in written  # Wagtail's moderation emails
    assert "replied to your comment" in written  # the club's own notifications
    printed = "\n".join(lines)
    assert "Subject:" not in printed
    assert len(lines) <= 10, printed
    assert any(f"{mail_dir}/" in line and "email" in line for line in lines)
    assert lines[-1].startswith("Admin login: admin / club-admin"), printed

    # Loaded again, it changes nothing: no new email, and none mentioned.
    files = sorted(mail_dir.iterdir())
    lines = _load_demo("--mail-dir", str(mail_dir))
    assert sorted(mail_dir.iterdir()) == files
    assert not any(str(mail_dir) in line for line in lines)
    assert lines[-1].startswith("Admin login: admin / club-admin")


@pytest.mark.django_db(transaction=True)
def test_the_setting_names_the_directory(settings, tmp_path):
    settings.BOOKCLUB_DEMO_MAIL_DIR = tmp_path / "mail"

    lines = _load_demo()

    assert mail.outbox == []
    assert "has been submitted for" in _messages(tmp_path / "mail")
    assert any(f"{tmp_path / 'mail'}/" in line for line in lines)


def test_development_keeps_the_demos_emails_under_var():
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bookclub.settings.dev")
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            "from django.conf import settings;"
            "print(settings.BOOKCLUB_DEMO_MAIL_DIR);"
            "print(settings.EMAIL_BACKEND)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    mail_dir, backend = result.stdout.split()
    assert Path(mail_dir) == ROOT / "var" / "demo-mail"
    # What the running server sends still shows in its console.
    assert backend == "django.core.mail.backends.console.EmailBackend"
