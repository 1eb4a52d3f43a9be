"""The sort indexes' expressions, as the models now write them.

The models write COALESCE's number into the SQL instead of passing it as a parameter, so
that SQLite's queries match these indexes. The indexes' own SQL is unchanged (Django
always wrote the number into an index), so only the migration state changes: nothing is
rebuilt."""

from django.db import migrations, models

RATING_COLUMNS = ("evidence_rating", "cost_rating", "mixed_findings")


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0007_text_filter_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="intervention", name="intervention_evidence_idx"),
                migrations.RemoveIndex(model_name="intervention", name="intervention_cost_idx"),
                migrations.AddIndex(
                    model_name="intervention",
                    index=models.Index(
                        models.OrderBy(
                            models.Func(
                                models.F("evidence_rating"),
                                template="COALESCE(%(expressions)s, 0)",
                            ),
                            descending=True,
                        ),
                        models.F("name"),
                        models.F("id"),
                        condition=models.Q(("published", True)),
                        include=RATING_COLUMNS,
                        name="intervention_evidence_idx",
                    ),
                ),
                migrations.AddIndex(
                    model_name="intervention",
                    index=models.Index(
                        models.OrderBy(
                            models.Func(
                                models.F("cost_rating"), template="COALESCE(%(expressions)s, 99)"
                            )
                        ),
                        models.F("name"),
                        models.F("id"),
                        condition=models.Q(("published", True)),
                        name="intervention_cost_idx",
                    ),
                ),
            ]
        )
    ]
