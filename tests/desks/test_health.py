"""Screening readings: the flag thresholds at their edges, and implausible values refused with a reason."""

from decimal import Decimal

import pytest
from django.utils import translation

from desks.health import Reading, bp_flagged, glucose_flagged, reading_problems


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("systolic", "diastolic", "flagged"),
    [
        (139, 89, False),
        (140, 80, True),  # systolic alone
        (120, 90, True),  # diastolic alone
        (139, 90, True),
        (140, 90, True),
        (118, 76, False),
    ],
)
def test_blood_pressure_flags_at_140_or_90(systolic, diastolic, flagged):
    assert bp_flagged(systolic, diastolic) is flagged
    assert reading_problems(Reading(systolic=systolic, diastolic=diastolic)) == {}


@pytest.mark.parametrize(
    ("glucose", "kind", "flagged"),
    [
        ("6.9", "fasting", False),
        ("7.0", "fasting", True),
        ("11.0", "after_meal", False),
        ("11.1", "after_meal", True),
        ("7.5", "after_meal", False),  # high fasting, normal after a meal
    ],
)
def test_glucose_flags_fasting_7_0_after_a_meal_11_1(glucose, kind, flagged):
    value = Decimal(glucose)
    assert glucose_flagged(value, kind) is flagged
    assert reading_problems(Reading(glucose=value, glucose_kind=kind)) == {}


@pytest.mark.parametrize(
    ("reading", "field", "words"),
    [
        (Reading(systolic=400, diastolic=80), "systolic", "400 mmHg is not a plausible systolic pressure"),
        (Reading(systolic=40, diastolic=30), "systolic", "not a plausible systolic"),
        (Reading(systolic=120, diastolic=200), "diastolic", "200 mmHg is not a plausible diastolic"),
        (Reading(systolic=120, diastolic=20), "diastolic", "not a plausible diastolic"),
        (Reading(systolic=80, diastolic=120), "diastolic", "must be lower than the systolic"),
        (Reading(systolic=90, diastolic=90), "diastolic", "must be lower than the systolic"),
        (Reading(systolic=120), "diastolic", "needs both numbers"),
        (Reading(diastolic=80), "systolic", "needs both numbers"),
        (Reading(glucose=Decimal("0"), glucose_kind="fasting"), "glucose", "0 mmol/L is not a plausible"),
        (
            Reading(glucose=Decimal("45.0"), glucose_kind="fasting"),
            "glucose",
            "not a plausible blood glucose",
        ),
        (Reading(glucose=Decimal("5.6")), "glucose_kind", "fasting or after a meal"),
        (Reading(glucose_kind="fasting"), "glucose", "Enter the glucose reading"),
        (Reading(), "__all__", "Enter a blood pressure, a blood glucose, or both"),
    ],
)
def test_implausible_readings_are_refused_with_a_reason(reading, field, words):
    problems = reading_problems(reading)
    assert field in problems
    assert words in str(problems[field])


def test_the_edges_of_the_plausible_range_are_accepted():
    assert reading_problems(Reading(systolic=260, diastolic=160 - 1)) == {}
    assert reading_problems(Reading(systolic=60, diastolic=30)) == {}
    assert reading_problems(Reading(glucose=Decimal("1.0"), glucose_kind="fasting")) == {}
    assert reading_problems(Reading(glucose=Decimal("35.0"), glucose_kind="after_meal")) == {}
