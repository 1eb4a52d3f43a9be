"""Every model change has its migration."""

from django.core.management import call_command


def test_no_pending_migrations(db):
    # Exits with SystemExit(1), failing the test, when a model change lacks a migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
