"""Health screening readings: what is plausible, and what is flagged (pure functions, no database).

Thresholds (Chinese hypertension and diabetes guidelines, as the partner clinics use them):
blood pressure is flagged at systolic ≥ 140 or diastolic ≥ 90 mmHg; blood glucose at fasting
≥ 7.0 mmol/L or after a meal ≥ 11.1 mmol/L. A reading outside the plausible range is refused,
because it is almost always a typing slip (400 for 140, 0 for nothing).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

SYSTOLIC_RANGE = (60, 260)  # mmHg
DIASTOLIC_RANGE = (30, 160)  # mmHg
GLUCOSE_RANGE = (Decimal("1.0"), Decimal("35.0"))  # mmol/L, what a glucometer can read

BP_SYSTOLIC_FLAG = 140
BP_DIASTOLIC_FLAG = 90
GLUCOSE_FLAG = {"fasting": Decimal("7.0"), "after_meal": Decimal("11.1")}


@dataclass(frozen=True)
class Reading:
    systolic: int | None = None
    diastolic: int | None = None
    glucose: Decimal | None = None
    glucose_kind: str = ""


def reading_problems(reading: Reading) -> dict[str, str]:
    """Field name → a message for the desk, empty when the reading can be recorded."""
    problems: dict[str, str] = {}
    systolic, diastolic = reading.systolic, reading.diastolic
    if systolic is not None and not SYSTOLIC_RANGE[0] <= systolic <= SYSTOLIC_RANGE[1]:
        problems["systolic"] = _(
            "%(value)s mmHg is not a plausible systolic pressure (%(low)s–%(high)s). Check the reading."
        ) % {"value": systolic, "low": SYSTOLIC_RANGE[0], "high": SYSTOLIC_RANGE[1]}
    if diastolic is not None and not DIASTOLIC_RANGE[0] <= diastolic <= DIASTOLIC_RANGE[1]:
        problems["diastolic"] = _(
            "%(value)s mmHg is not a plausible diastolic pressure (%(low)s–%(high)s). Check the reading."
        ) % {"value": diastolic, "low": DIASTOLIC_RANGE[0], "high": DIASTOLIC_RANGE[1]}
    if (systolic is None) != (diastolic is None):
        missing = "diastolic" if diastolic is None else "systolic"
        problems.setdefault(missing, _("Blood pressure needs both numbers, systolic and diastolic."))
    elif systolic is not None and not problems and diastolic >= systolic:
        problems["diastolic"] = _(
            "The diastolic pressure (%(diastolic)s) must be lower than the systolic (%(systolic)s). "
            "Were the two numbers swapped?"
        ) % {"diastolic": diastolic, "systolic": systolic}

    glucose = reading.glucose
    if glucose is not None and not GLUCOSE_RANGE[0] <= glucose <= GLUCOSE_RANGE[1]:
        problems["glucose"] = _(
            "%(value)s mmol/L is not a plausible blood glucose (%(low)s–%(high)s). Check the reading."
        ) % {"value": glucose, "low": GLUCOSE_RANGE[0], "high": GLUCOSE_RANGE[1]}
    if glucose is not None and reading.glucose_kind not in GLUCOSE_FLAG:
        problems["glucose_kind"] = _("Say whether the glucose was measured fasting or after a meal.")
    if glucose is None and reading.glucose_kind:
        problems["glucose"] = _("Enter the glucose reading, or leave “measured” empty.")

    if systolic is None and diastolic is None and glucose is None and not problems:
        problems["__all__"] = _("Enter a blood pressure, a blood glucose, or both.")
    return problems


def bp_flagged(systolic: int | None, diastolic: int | None) -> bool:
    if systolic is None or diastolic is None:
        return False
    return systolic >= BP_SYSTOLIC_FLAG or diastolic >= BP_DIASTOLIC_FLAG


def glucose_flagged(glucose: Decimal | None, kind: str) -> bool:
    if glucose is None or kind not in GLUCOSE_FLAG:
        return False
    return glucose >= GLUCOSE_FLAG[kind]
