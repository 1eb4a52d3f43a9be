"""The database holds the ratings to their scales, as the forms do: bulk writes skip forms.

An evidence or cost rating must be one of its scale's values, or empty. The mixed-findings
star needed a level, but its check let an unrated intervention carry it (a check that
comes to null passes); such a star was never shown, since an unrated intervention shows no
rating to put it after, and the import refused it. It is cleared here, before the check
that refuses it."""

from django.db import migrations, models


def clear_stars_without_a_rating(apps, schema_editor):
    Intervention = apps.get_model("catalogue", "Intervention")
    Intervention.objects.filter(mixed_findings=True, evidence_rating__isnull=True).update(
        mixed_findings=False
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0009_sort_indexes_cover_ratings"),
    ]

    operations = [
        migrations.RunPython(clear_stars_without_a_rating, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="intervention",
            name="intervention_star_needs_level",
        ),
        migrations.AddConstraint(
            model_name="intervention",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("evidence_rating__isnull", True),
                    ("evidence_rating__in", [5, 10, 20, 25, 30, 35, 40, 45]),
                    _connector="OR",
                ),
                name="intervention_evidence_rating_known",
                violation_error_message="The evidence rating must be one of 2, 2+, 3, 3+, 4, "
                "4+, NL2 or NE, or empty while the intervention is not yet rated.",
            ),
        ),
        migrations.AddConstraint(
            model_name="intervention",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("cost_rating__isnull", True),
                    ("cost_rating__in", [1, 2, 3, 4, 5, 9]),
                    _connector="OR",
                ),
                name="intervention_cost_rating_known",
                violation_error_message="The cost rating must be one of 1, 2, 3, 4, 5 or NA, "
                "or empty while the cost is not yet rated.",
            ),
        ),
        migrations.AddConstraint(
            model_name="intervention",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("mixed_findings", False),
                    models.Q(
                        ("evidence_rating__in", [20, 25, 30, 35, 40, 45]),
                        ("evidence_rating__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="intervention_star_needs_level",
                violation_error_message="Only an intervention rated 2 to 4+ can carry the "
                "mixed-findings star.",
            ),
        ),
    ]
