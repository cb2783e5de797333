"""Fill the scope ids of audit entries written before they existed (core 0005), where the object
still exists: portfolios, programs and projects themselves, and every model with a `project`,
`program` or `portfolio` foreign key; then each entry's program from its project and its
portfolio from its program. Entries of deleted objects, and of objects with no such key, stay
without a scope (they are shown to their actor and to superusers only). Lives here, above the
domains, because it reads their models; the reverse is a no-op."""

from django.db import migrations
from django.db.models import BigIntegerField, OuterRef, Subquery
from django.db.models.functions import Cast

OWN = {"portfolio.portfolio": "portfolio_id", "portfolio.program": "program_id", "projects.project": "project_id"}


def backfill(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    Project = apps.get_model("projects", "Project")
    Program = apps.get_model("portfolio", "Program")
    types = set(AuditEntry.objects.values_list("object_type", flat=True).distinct())
    for label, column in OWN.items():
        if label in types:
            AuditEntry.objects.filter(object_type=label).update(**{column: Cast("object_id", BigIntegerField())})
    for label in sorted(types - set(OWN)):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        names = {f.name for f in model._meta.concrete_fields if f.many_to_one}
        for name in ("project", "program", "portfolio"):
            if name in names:
                rows = AuditEntry.objects.filter(object_type=label, **{f"{name}_id__isnull": True})
                source = model.objects.filter(pk=Cast(OuterRef("object_id"), BigIntegerField())).values(f"{name}_id")
                rows.update(**{f"{name}_id": Subquery(source[:1])})
    AuditEntry.objects.filter(project_id__isnull=False, program_id__isnull=True).update(
        program_id=Subquery(Project.objects.filter(pk=OuterRef("project_id")).values("program_id")[:1])
    )
    AuditEntry.objects.filter(program_id__isnull=False, portfolio_id__isnull=True).update(
        portfolio_id=Subquery(Program.objects.filter(pk=OuterRef("program_id")).values("portfolio_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_audit_entry_scope_and_attachment"),
        ("portfolio", "0004_bound_money_dates_durations"),
        ("projects", "0011_task_three_point_estimates_ranges_correlation"),
        ("budgets", "0004_cost_ranges"),
        ("risks", "0005_bound_analysis_costs"),
        ("staffing", "0002_bound_money_dates_durations"),
        ("governance", "0005_bound_money_dates_durations"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
