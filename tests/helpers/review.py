"""The reviewer's pairing run form and the county's places, for the review page tests."""

from marketplace.services.pairing import pairing_plans


def plan_form(communities, units, **changes) -> dict:
    data = {
        "title": "测试方案",
        "coverage": "0.6",
        "proximity": "0.25",
        "continuity": "0.15",
        "preference": "0.2",
    }
    for community in communities:
        data[f"min_{community.id}"] = data[f"max_{community.id}"] = "8"
    for unit in units:
        data[f"cap_{unit.id}"] = "1"
    data.update(changes)
    return data


def demo_places():
    from marketplace.services.pairing.plan_reports import county_places

    return county_places(pairing_plans.default_county().id)
