"""Editors keep other clearinghouses' ratings (on the intervention's change form) and the
review pipeline; publishing a review item is for those who publish interventions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# As with interventions, editors publish review items but do not delete them.
PERMISSIONS = [
    *(
        f"{action}_{model}"
        for model in ("externalrating", "reviewstageentry")
        for action in ("add", "change", "delete", "view")
    ),
    *(f"{action}_reviewitem" for action in ("add", "change", "view", "publish")),
]


def crosswalk_and_review_permissions(apps):
    # Permissions are normally made after all migrations; make them now to grant them.
    app_config = apps.get_app_config("catalogue")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="catalogue", codename__in=PERMISSIONS
    )


def grant(apps, schema_editor):
    editors = apps.get_model("auth", "Group").objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.add(*crosswalk_and_review_permissions(apps))


def revoke(apps, schema_editor):
    editors = apps.get_model("auth", "Group").objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.remove(*crosswalk_and_review_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("editors", "0002_editors_edit_studies"),
        ("catalogue", "0014_external_ratings_and_review_items"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
