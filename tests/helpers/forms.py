"""Form data for the services, as a page would post it."""

from datetime import timedelta

from marketplace import clock
from tests.factories import service_type


def need_form(**overrides):
    data = {
        "type_id": service_type("legal_advice").id,
        "title": "每月法律咨询进社区",
        "description": "请律师为居民解答婚姻、继承问题",
        "quantity": "4",
        "measure_unit": "sessions",
        "starts_on": clock.today().isoformat(),
        "ends_on": (clock.today() + timedelta(days=30)).isoformat(),
        "urgency": "2",
    }
    data.update(overrides)
    return data
