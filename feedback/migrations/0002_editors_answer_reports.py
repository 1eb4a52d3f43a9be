"""Editors read readers' reports and keep their state and a note; nobody adds one in the
admin (they come from readers) and only administrators delete them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = ["view_readerreport", "change_readerreport"]


def report_permissions(apps):
    # Permissions are normally made after all migrations; make them now to grant them.
    app_config = apps.get_app_config("feedback")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="feedback", codename__in=PERMISSIONS)


def grant(apps, schema_editor):
    editors = apps.get_model("auth", "Group").objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.add(*report_permissions(apps))


def revoke(apps, schema_editor):
    editors = apps.get_model("auth", "Group").objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.remove(*report_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("editors", "0001_editors_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
