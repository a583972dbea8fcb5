"""Clock and settings rules written once: one clock, one year bound, defaults in config.py."""

import re
from pathlib import Path

import pytest

from marketplace.errors import InvalidInput
from marketplace.services.oversight import oversight_calendar
from marketplace.web.members import member_helpers
from marketplace.web.oversight import oversight_helpers
from marketplace.web.query_args import year_arg

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "marketplace"

# Files other branches are converting now; the lead removes these entries at merge.
CLOCK_WRAPPERS_ALLOWED = {"services/members/members.py"}


def _lines(pattern: re.Pattern, allowed=frozenset(), skip=("config.py", "clock.py")):
    return [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name not in skip
        and "migrations" not in path.parts
        and str(path.relative_to(PACKAGE)) not in allowed
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if pattern.search(line)
    ]


def test_setting_defaults_are_written_only_in_config():
    """A service reads ``config["X"]``; a default beside it would be a second default."""
    pattern = re.compile(r"config\.get\(\s*[\"'][A-Z][A-Z0-9_]+[\"']\s*,")
    assert _lines(pattern) == []


def test_only_the_county_clock_reads_the_time():
    pattern = re.compile(r"\b(datetime\.now|datetime\.utcnow|date\.today|time\.time)\(")
    assert _lines(pattern) == []


def test_no_module_wraps_the_county_clock_under_another_name():
    pattern = re.compile(r"^def county_(now|today)\(")
    assert _lines(pattern, CLOCK_WRAPPERS_ALLOWED) == []


def test_status_lists_of_the_models_are_not_repeated_as_sql():
    """Partial indexes and checks build their SQL from the status tuple (``enum_check``)."""
    pattern = re.compile(r"[\"']status IN \(")
    offenders = [
        f"{path.name}:{number}"
        for path in sorted((PACKAGE / "models").glob("*.py"))
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_every_page_reads_the_year_through_one_function():
    assert member_helpers.year_arg is year_arg and oversight_helpers.year_arg is year_arg


@pytest.mark.parametrize("offset", [0, 1])
def test_the_accepted_years_run_from_2000_to_next_year(app, offset):
    with app.test_request_context():
        this_year = oversight_calendar.clock.today().year
        assert oversight_calendar.check_year(str(this_year + offset)) == this_year + offset
        assert oversight_calendar.check_year("2000") == 2000
        for bad in (str(this_year + 2), "1999", "2100"):
            with pytest.raises(InvalidInput) as refused:
                oversight_calendar.check_year(bad)
            assert refused.value.field == "year" and f"{this_year + 1}" in refused.value.message
    for asked, shown in ((this_year + offset, this_year + offset), (2100, this_year)):
        with app.test_request_context(f"/?year={asked}"):
            assert year_arg() == shown
