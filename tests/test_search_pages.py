"""Search pages, the JSON API and the facility finder, on the demo county (anonymous)."""

import shutil

import pytest

from marketplace import search
from marketplace.services.search import search_index
from tests.factories import make_need, make_offer
from tests.helpers.dates import next_weekday

_built_demo_index: dict[str, str] = {}


@pytest.fixture
def demo_client(demo_app, tmp_path_factory):
    """The demo client with a search index copied from one built per backend (fast)."""
    root = demo_app.config["SEARCH_INDEX_DIR"]
    cached = _built_demo_index.get(demo_app.test_backend)
    if cached is None:
        search_index.rebuild(clear_outbox=False)
        cached = str(tmp_path_factory.mktemp("demo-index") / "index")
        shutil.copytree(root, cached)
        _built_demo_index[demo_app.test_backend] = cached
    else:
        shutil.copytree(cached, root)
    return demo_app.test_client()


HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1--",
    "*:(){}",
    "会议室 AND NOT OR ~ ^2",
]


def test_results_page_has_hits_facets_marks_and_pages(demo_client):
    response = demo_client.get("/search?q=会议室")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<mark>会议室</mark>" in page
    assert "共找到" in page and "类别" in page and "乡镇/街道" in page
    assert "page=2" in page  # 56 meeting rooms: more than one page
    assert 'name="q"' in page  # the navigation search box


def test_facet_links_filter_the_results(demo_client):
    body = demo_client.get("/api/v1/search?q=会议室").get_json()
    township, count = next(iter(body["facets"]["township"].items()))
    filtered = demo_client.get(f"/search?q=会议室&township={township}").get_data(as_text=True)
    assert f"共找到 {count} 条结果" in filtered


def test_api_answers_as_designed(demo_client):
    body = demo_client.get("/api/v1/search?q=停车").get_json()
    assert body["total"] >= 20 and len(body["results"]) == 20
    prefixes = {"need": "/needs/", "facility": "/offers/", "service": "/offers/"}
    for result in body["results"]:
        assert {"kind", "id", "title", "snippet", "url"} <= set(result)
        assert result["url"] == f"{prefixes[result['kind']]}{result['id']}"
        assert "停车" in result["title"] + result["type"] + result["snippet"]
    assert "facility" in {result["kind"] for result in body["results"]}
    second = demo_client.get("/api/v1/search?q=停车&page=2").get_json()
    first_keys = {(r["kind"], r["id"]) for r in body["results"]}
    assert first_keys.isdisjoint({(r["kind"], r["id"]) for r in second["results"]})


FILTER_CASES = [
    ("kind=facility&min_capacity=100", lambda r: r["kind"] == "facility" and r["capacity"] >= 100),
    ("kind=service&category=法律服务", lambda r: r["category"] == "法律服务"),
    ("kind=service&type=法律咨询", lambda r: r["type"] == "法律咨询"),
    ("q=停车&free=1", lambda r: r["free"] is True),
    ("kind=community&township=城关镇", lambda r: r["township"] == "城关镇"),
    ("kind=need&community=城南社区", lambda r: r["community"] == "城南社区"),
]  # fmt: skip


def test_api_filters(demo_client):
    everything = demo_client.get("/api/v1/search").get_json()["total"]
    for query, check in FILTER_CASES:
        body = demo_client.get(f"/api/v1/search?{query}&per_page=100").get_json()
        assert 0 < body["total"] < everything, query
        assert all(check(result) for result in body["results"]), query


def test_api_refuses_bad_parameters_with_a_reason(demo_client):
    for query in ["kind=robot", "min_capacity=abc", "min_capacity=0", "page=x", "page=-1"]:
        response = demo_client.get(f"/api/v1/search?{query}")
        assert response.status_code == 400 and response.get_json()["error"], query


def test_drafts_and_withdrawn_listings_never_appear(demo_app, demo_client):
    make_need(title="草稿里的象棋比赛", status="draft")
    make_offer(title="撤回的象棋教室", status="withdrawn")
    assert demo_client.get("/api/v1/search?q=象棋").get_json()["total"] == 0
    assert "没有找到" in demo_client.get("/search?q=象棋").get_data(as_text=True)


def test_an_empty_result_offers_a_suggestion(demo_client):
    body = demo_client.get("/api/v1/search?q=会以室").get_json()
    assert body["total"] == 0 and body["suggestion"] == "会议室"
    assert "您是不是要找" in demo_client.get("/search?q=会以室").get_data(as_text=True)


def test_hostile_query_text_is_escaped_never_a_500(demo_client):
    for text in HOSTILE:
        page = demo_client.get("/search", query_string={"q": text, "township": text})
        assert page.status_code == 200, text
        html = page.get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        api = demo_client.get("/api/v1/search", query_string={"q": text, "category": text})
        assert api.status_code == 200 and isinstance(api.get_json()["results"], list)


def test_hostile_listing_text_is_escaped_in_snippets(app, client):
    make_offer(title="共享会议室<script>alert(1)</script>", description='"><img onerror=x>会议室')
    html = client.get("/search?q=会议室").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img onerror" not in html
    assert "&lt;script&gt;" in html and "<mark>会议室</mark>" in html


def test_a_missing_or_corrupt_index_gives_no_500(demo_app, demo_client):
    """No 500 without an index: the demo has none; a corrupt one is rebuilt the same way."""
    assert demo_client.get("/api/v1/search?q=法律").get_json()["total"] > 0
    folder = search.store.current_generation(demo_app.config["SEARCH_INDEX_DIR"])
    for path in folder.iterdir():
        path.write_bytes(b"garbage")
    search.store.forget_searchers()
    assert demo_client.get("/search?q=法律").status_code == 200
    assert demo_client.get("/api/v1/search?q=法律").get_json()["total"] > 0


def test_a_large_missing_index_is_announced_not_built_in_the_request(demo_app):
    demo_app.config["SEARCH_INLINE_REBUILD_LIMIT"] = 10
    client = demo_app.test_client()
    assert "索引重建中" in client.get("/search?q=法律").get_data(as_text=True)
    assert client.get("/api/v1/search?q=法律").status_code == 503
    assert not search.index_exists(demo_app.config["SEARCH_INDEX_DIR"])


def test_a_rebuild_in_progress_is_announced(demo_app, demo_client, monkeypatch):
    shutil.rmtree(demo_app.config["SEARCH_INDEX_DIR"])  # no index while another builds it
    search.store.forget_searchers()

    def busy():
        raise search_index.SearchUnavailable("索引重建中，请稍后刷新。")

    monkeypatch.setattr(search_index, "ensure_index", busy)
    assert "索引重建中" in demo_client.get("/search?q=法律").get_data(as_text=True)
    assert demo_client.get("/api/v1/search?q=法律").status_code == 503


# --- facility finder ---------------------------------------------------------------------


def finder(client, status=200, **args) -> str:
    response = client.get("/facilities", query_string=args)
    assert response.status_code == status
    return response.get_data(as_text=True)


def test_finder_lists_facilities_with_owner_address_capacity_hours(demo_client):
    page = finder(demo_client, kind="sports_ground")
    assert "共 3 处场地" in page
    assert "县体育中心" in page and "每天 06:00-21:00" in page and "200" in page
    assert page.count("/bookings/new/") == 3  # each facility can be asked for


def test_finder_filters(demo_client):

    assert "共 3 处场地" in finder(demo_client, min_capacity=200)
    wednesday, sunday = next_weekday(2), next_weekday(6)
    rooms_wednesday = finder(
        demo_client, kind="meeting_room", date=wednesday, start="09:00", end="10:00"
    )
    assert "共 0 处场地" not in rooms_wednesday
    rooms_late = finder(
        demo_client, kind="meeting_room", date=wednesday, start="23:00", end="23:30", status=400
    )
    assert "请从列表中选择" in rooms_late  # the form offers 06:00-22:30
    assert "共 56 处场地" in finder(demo_client, kind="meeting_room", free_only="y")
    sunday_rooms = finder(demo_client, kind="meeting_room", date=sunday)
    assert "处场地" in sunday_rooms


def test_finder_filters_by_township_and_free(app, client):
    from tests.factories import make_township, make_unit

    east, west = make_township(name="东区街道"), make_township(name="西区街道")
    make_offer(kind="facility", unit=make_unit(township=east), title="东区会议室", is_free=False)
    make_offer(kind="facility", unit=make_unit(township=west), title="西区会议室")
    page = finder(client, township_id=east.id)
    assert "东区会议室" in page and "西区会议室" not in page
    page = finder(client, free_only="y")
    assert "西区会议室" in page and "东区会议室" not in page


def test_finder_refuses_bad_input_in_chinese_keeping_it(demo_client):
    cases = [
        ({"min_capacity": "abc"}, "请输入整数"),
        ({"min_capacity": "0"}, "1 以上的整数"),
        ({"kind": "castle"}, "请从列表中选择"),
        ({"start": "25:99"}, "请从列表中选择"),
        ({"township_id": "x"}, "请从列表中选择"),
        ({"date": "someday"}, "请选择日期"),
        ({"start": "10:00", "end": "09:00"}, "结束时刻必须晚于开始时刻"),
    ]
    for args, message in cases:
        page = finder(demo_client, status=400, **args)
        assert message in page and "处场地" not in page, args
    assert 'value="abc"' in finder(demo_client, status=400, min_capacity="abc")
