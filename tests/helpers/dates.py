"""Dates relative to the county's today."""

from datetime import date, timedelta

from marketplace import clock


def next_weekday(weekday: int) -> date:
    today = clock.today()
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
