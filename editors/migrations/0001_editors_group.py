"""Create the Editors group with exactly the permissions editors need."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {
    "projects": {
        "project": ["add", "change", "view", "publish"],
        "organisation": ["add", "change", "view"],
        "topic": ["add", "change", "view"],
        "researchquestion": ["add", "change", "delete", "view"],
        "partnership": ["add", "change", "delete", "view"],
        "document": ["add", "change", "delete", "view"],
        "taggedproject": ["add", "change", "delete", "view"],
    },
    "catalogue": {
        "intervention": ["add", "change", "view", "publish"],
        "outcomeevidence": ["add", "change", "delete", "view"],
        "childoutcome": ["change", "view"],
    },
    "ratings": {
        "ratingdefinition": ["change", "view"],
    },
}


def create_editors_group(apps, schema_editor):
    # Permissions are normally made after all migrations; make them now to grant them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    codenames = [
        (app_label, f"{action}_{model}")
        for app_label, models in EDITOR_PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions
    ]
    permissions = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in codenames
    ]
    editors.permissions.set(permissions)


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("projects", "0003_history_version_completed_on"),
        ("catalogue", "0002_history_version"),
        ("ratings", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
