"""Fill ChangeRequest.program from the project and make numbers unique within each program.

Numbers used to count per project, so two projects of one program could both have a CR-002.
Within a program each number stays with its earliest request (by creation, then id); a later
request holding the same number gets the program's next free number, in creation order. Requests
that do not clash keep their numbers."""

from django.db import migrations


def number_per_program(apps, schema_editor):
    ChangeRequest = apps.get_model("governance", "ChangeRequest")
    rows = list(
        ChangeRequest.objects.select_related("project").order_by("project__program_id", "number", "created_at", "pk")
    )
    by_program: dict[int, list] = {}
    for row in rows:
        row.program_id = row.project.program_id
        by_program.setdefault(row.program_id, []).append(row)
    for program_rows in by_program.values():
        taken: set[int] = set()
        clashing = []
        for row in program_rows:
            if row.number in taken:
                clashing.append(row)
            else:
                taken.add(row.number)
        next_free = max(taken, default=0) + 1
        for row in sorted(clashing, key=lambda r: (r.created_at, r.pk)):
            row.number = next_free
            next_free += 1
    ChangeRequest.objects.bulk_update(rows, ["program", "number"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0002_add_change_request_program"),
    ]

    operations = [
        migrations.RunPython(number_per_program, migrations.RunPython.noop),
    ]
