"""Existing plans: baseline 0 is the plan of record (Microsoft Project's convention, and the one
the schedule compares with by default), so it becomes approved and is kept from now on."""

from django.db import migrations


def mark_baseline_zero_approved(apps, schema_editor):
    Baseline = apps.get_model("projects", "Baseline")
    Baseline.objects.filter(number=0).update(approved=True)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0006_baseline_approved"),
    ]

    operations = [
        migrations.RunPython(mark_baseline_zero_approved, migrations.RunPython.noop),
    ]
