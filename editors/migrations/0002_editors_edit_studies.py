"""Editors enter an intervention's studies and findings on its change form."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STUDY_PERMISSIONS = [
    f"{action}_{model}"
    for model in ("study", "finding")
    for action in ("add", "change", "delete", "view")
]


def study_permissions(apps):
    # Permissions are normally made after all migrations; make them now to grant them.
    app_config = apps.get_app_config("catalogue")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="catalogue", codename__in=STUDY_PERMISSIONS
    )


def grant(apps, schema_editor):
    editors = apps.get_model("auth", "Group").objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.add(*study_permissions(apps))


def revoke(apps, schema_editor):
    editors = apps.get_model("auth", "Group").objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.remove(*study_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("editors", "0001_editors_group"),
        ("catalogue", "0011_studies_and_findings"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
