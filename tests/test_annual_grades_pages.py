"""The yearly grading page: no star count preselected, a refusal stays in place."""

from marketplace.services.oversight.oversight_calendar import county_today
from tests.factories import make_unit
from tests.oversight_helpers import publish_pairs


def test_community_grades_a_unit_on_the_page(app, client, login_as):
    staff = login_as("community")
    unit = make_unit(name="县交通局")
    publish_pairs([(unit, staff.community)])
    page = client.get("/annual-grades/").get_data(as_text=True)
    assert "县交通局" in page and '<option value="">请选择评分</option>' in page
    assert "selected" not in page[page.index(f'name="g{unit.id}-stars"') :][:400]
    assert 'href="/annual-grades/"' in page  # the menu entry
    data = {"other_id": unit.id, "year": county_today().year, f"g{unit.id}-comment": "很好"}
    response = client.post("/annual-grades/", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "请选择评分。" in page and "很好" in page
    data[f"g{unit.id}-stars"] = "5"
    response = client.post("/annual-grades/", data=data)
    assert response.status_code == 302
    assert "已评议" in client.get(response.headers["Location"]).get_data(as_text=True)
