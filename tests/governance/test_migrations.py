"""The data migration that makes change-request numbers unique per program."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("governance", "0002_add_change_request_program")]
AFTER = [("governance", "0004_change_request_number_unique_per_program")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_clashing_numbers_in_a_program_are_renumbered_and_the_rest_kept(program, project):
    from tests.factories.budgets import CurrencyFactory
    from tests.factories.projects import ProjectFactory

    sibling = ProjectFactory(program=program, code="MOD-HR")
    elsewhere = ProjectFactory(code="OTHER-1")
    eur = CurrencyFactory(code="EUR")
    apps = migrate(BEFORE)
    try:
        ChangeRequest = apps.get_model("governance", "ChangeRequest")

        def make(project, number, title):
            return ChangeRequest.objects.create(project_id=project.pk, number=number, title=title, currency_id=eur.pk)

        erp_1, erp_2 = make(project, 1, "ERP 1"), make(project, 2, "ERP 2")
        hr_1, hr_2 = make(sibling, 1, "HR 1"), make(sibling, 2, "HR 2")
        other_1 = make(elsewhere, 1, "Other 1")
        apps = migrate(AFTER)
        ChangeRequest = apps.get_model("governance", "ChangeRequest")
        after = {cr.title: (cr.program_id, cr.number) for cr in ChangeRequest.objects.all()}
        assert after == {
            "ERP 1": (program.pk, 1),
            "ERP 2": (program.pk, 2),
            "HR 1": (program.pk, 3),
            "HR 2": (program.pk, 4),
            "Other 1": (elsewhere.program_id, 1),
        }
        assert {erp_1.pk, erp_2.pk, hr_1.pk, hr_2.pk, other_1.pk} == set(
            ChangeRequest.objects.values_list("pk", flat=True)
        )
    finally:
        migrate(AFTER)
