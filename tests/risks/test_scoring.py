"""Scoring rules: bands at every boundary, probability levels vs percentages, EMV — in Python
and as the database's generated columns."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from risks import scoring, services
from risks.models import Risk
from tests.factories.risks import RiskFactory

BAND_BOUNDARIES = [
    (1, "low"),
    (4, "low"),
    (5, "medium"),
    (9, "medium"),
    (10, "high"),
    (16, "high"),
    (20, "critical"),
    (25, "critical"),
]


@pytest.mark.parametrize(("score", "band"), BAND_BOUNDARIES)
def test_band_boundaries(score, band):
    assert scoring.band_for_score(score) == band


def test_every_cell_of_the_matrix_has_the_documented_band_in_the_database(project):
    expected = {}
    for p in scoring.LEVELS:
        for i in scoring.LEVELS:
            risk = RiskFactory(project=project, probability=p, impact=i)
            expected[risk.pk] = (p * i, scoring.band_for_score(p * i))
    for pk, score, band in Risk.objects.values_list("pk", "score", "band"):
        assert (score, band) == expected[pk]
    assert Risk.objects.filter(band="critical").count() == 3  # 4x5, 5x4, 5x5
    assert Risk.objects.filter(band="high").count() == 7  # 10, 12 and 15 twice each, 16 once


@pytest.mark.parametrize(
    ("percent", "level"),
    [
        ("0", 1),
        ("10", 1),
        ("10.01", 2),
        ("30", 2),
        ("30.5", 3),
        ("50", 3),
        ("51", 4),
        ("70", 4),
        ("70.01", 5),
        ("100", 5),
    ],
)
def test_percent_maps_to_the_level_whose_range_holds_it(percent, level):
    assert scoring.level_for_percent(Decimal(percent)) == level
    assert scoring.percent_matches(level, Decimal(percent))


def test_default_percent_is_the_midpoint_of_the_level():
    assert [scoring.default_percent(level) for level in scoring.LEVELS] == [5, 20, 40, 60, 85]


def test_emv_is_percent_of_cost_impact(project):
    risk = RiskFactory(
        project=project, probability=4, probability_percent=Decimal("55.5"), cost_impact=Decimal("20000")
    )
    risk.refresh_from_db()
    assert risk.emv == Decimal("11100.00")
    assert scoring.emv(Decimal("55.5"), Decimal("20000")) == Decimal("11100.00")


def test_residual_emv_uses_the_residual_level_default_percent_or_falls_back_to_inherent(project):
    assessed = RiskFactory(
        project=project,
        probability=4,
        impact=4,
        cost_impact=Decimal("10000"),
        residual_probability=2,
        residual_impact=3,
    )
    unassessed = RiskFactory(project=project, probability=4, impact=4, cost_impact=Decimal("10000"))
    assessed.refresh_from_db()
    unassessed.refresh_from_db()
    assert (assessed.residual_score, assessed.residual_band, assessed.residual_emv) == (6, "medium", Decimal("2000.00"))
    assert (unassessed.residual_score, unassessed.residual_band) == (None, None)
    assert unassessed.residual_emv == unassessed.emv == Decimal("6000.00")


def test_service_derives_percent_from_level_and_level_from_percent(project, owner):
    by_level = services.risk_create(
        actor=owner, project=project, title="A", category="technical", probability=2, impact=3
    )
    assert by_level.probability_percent == Decimal("20")
    by_percent = services.risk_create(
        actor=owner, project=project, title="B", category="technical", probability_percent=Decimal("65"), impact=3
    )
    assert by_percent.probability == 4


def test_service_refuses_a_percent_outside_the_level_naming_the_field(project, owner):
    with pytest.raises(ValidationError) as error:
        services.risk_create(
            actor=owner,
            project=project,
            title="A",
            category="technical",
            probability=2,
            probability_percent=Decimal("80"),
            impact=3,
        )
    assert list(error.value.message_dict) == ["probability_percent"]


def test_changing_the_level_alone_resets_the_percent_to_its_default(project, owner):
    risk = services.risk_create(
        actor=owner, project=project, title="A", category="technical", probability_percent=Decimal("45"), impact=3
    )
    risk = services.risk_update(actor=owner, risk=risk, data={"probability": 5})
    assert (risk.probability, risk.probability_percent) == (5, Decimal("85"))
    risk = services.risk_update(actor=owner, risk=risk, data={"probability_percent": Decimal("12")})
    assert (risk.probability, risk.probability_percent) == (2, Decimal("12"))


def test_database_refuses_a_percent_that_disagrees_with_the_level(project):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Risk.objects.create(
            program=project.program,
            project=project,
            number=1,
            title="x",
            category="technical",
            probability=1,
            probability_percent=Decimal("90"),
            impact=1,
        )
