"""The pure search package: Chinese recall, filters, facets, snippets, hostile text, locks."""

import re
import threading

import pytest

from marketplace import search
from marketplace.search import Filters, run_search
from marketplace.search.highlight import mark, snippet
from marketplace.search.store import current_generation


def doc(key: str, title: str, body: str = "", **fields) -> dict:
    kind, _, raw_id = key.partition(":")
    values = {
        "key": key,
        "kind": kind,
        "id": int(raw_id),
        "title": title,
        "body": body,
        "category": "场地设施",
        "type": "",
        "township": "城关镇",
        "community": "",
        "owner": "县委办公室",
        "address": "人民路1号",
        "capacity": None,
        "free": None,
        "url": f"/x/{raw_id}",
    }
    values.update(fields)
    return values


DOCUMENTS = [
    doc("facility:1", "县医院免费停车位", "夜间向居民开放", capacity=40, free=True,
        type="停车位", township="城关镇"),
    doc("facility:2", "县委办公室共享会议室", "可容纳三十人", capacity=30, free=False,
        type="会议室", township="东城街道"),
    doc("facility:3", "县体育中心运动场", "标准田径场", capacity=200, free=True,
        type="运动场", township="东城街道"),
    doc("service:4", "法律咨询（县司法局）", "律师每月到社区提供法律咨询", category="法律服务",
        type="法律咨询", owner="县司法局"),
    doc("need:5", "城南社区老旧小区清洁", "居民反映需要志愿者清理楼道", category="环境整治",
        type="老旧小区清洁", community="城南社区", owner="城南社区", capacity=10),
    doc("unit:6", "县人民医院", "事业单位，党员 80 名", category="", type="事业单位"),
    doc("community:7", "城南社区", "3200 户，城南路8号", category="", community="城南社区",
        owner="城南社区"),
]  # fmt: skip


@pytest.fixture
def root(tmp_path):
    search.build_generation(tmp_path, DOCUMENTS)
    return tmp_path


def keys(root, text: str = "", **filters) -> list[str]:
    result = run_search(search.searcher(root), text, Filters(**filters))
    return sorted(hit["key"] for hit in result.hits)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("停车", "facility:1"), ("会议室", "facility:2"), ("法律", "service:4"),
     ("停车位", "facility:1"), ("清洁", "need:5"), ("司法局", "service:4")],
)  # fmt: skip
def test_chinese_words_find_longer_compounds(root, text, expected):
    assert expected in keys(root, text)


def test_every_word_must_match(root):
    assert keys(root, "免费 停车") == ["facility:1"]
    assert keys(root, "停车 法律") == []


def test_each_filter_narrows_results(root):
    assert keys(root, kind="facility") == ["facility:1", "facility:2", "facility:3"]
    assert keys(root, category="法律服务") == ["service:4"]
    assert keys(root, type="会议室") == ["facility:2"]
    assert keys(root, township="东城街道") == ["facility:2", "facility:3"]
    assert keys(root, community="城南社区") == ["community:7", "need:5"]
    assert keys(root, min_capacity=35) == ["facility:1", "facility:3"]
    assert keys(root, free=True) == ["facility:1", "facility:3"]
    assert keys(root, kind="facility", free=True, min_capacity=100) == ["facility:3"]
    assert keys(root, kind="nonsense") == []


def test_facets_count_all_matches_not_only_the_page(root):
    result = run_search(search.searcher(root), "", per_page=2)
    assert result.total == len(DOCUMENTS)
    assert len(result.hits) == 2
    assert result.facets["kind"]["facility"] == 3
    assert result.facets["township"] == {"东城街道": 2, "城关镇": 5}


def test_pages_are_disjoint_and_complete(root):
    seen = []
    for page in (1, 2, 3, 4):
        result = run_search(search.searcher(root), "", page=page, per_page=2)
        seen += [hit["key"] for hit in result.hits]
    assert sorted(seen) == sorted(d["key"] for d in DOCUMENTS)
    assert result.pages == 4


def test_a_typo_or_empty_result_offers_a_suggestion(root):
    typo = run_search(search.searcher(root), "会以室")
    assert typo.total == 0
    assert typo.suggestion == "会议室"
    assert keys(root, typo.suggestion) == ["facility:2"]
    together = run_search(search.searcher(root), "停车 法律")
    assert together.total == 0 and together.suggestion in {"停车", "法律"}


HOSTILE_QUERIES = [
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "' OR 1=1--", "*:(){}",
    "title:* AND NOT OR ~ ^2", "[a TO z]", "\\", "停车" * 200, "\x00\u202e", "*", "?",
]  # fmt: skip


@pytest.mark.parametrize("text", HOSTILE_QUERIES)
def test_hostile_query_text_is_plain_text(root, text):
    """Query syntax is never obeyed: it matches no more than its plain words would.

    (Regression: this test used to assert only inside a loop over hits that was
    empty for every case, so it could not fail.)
    """
    plain_words = re.sub(r"[^\w]+", " ", text.replace("\x00", ""))
    assert keys(root, text) == keys(root, plain_words)  # "*" is no wildcard, "[a TO z]" no range
    assert set(keys(root, "停车 " + text)) <= set(keys(root, "停车")) == {"facility:1"}


@pytest.mark.parametrize("text", HOSTILE_QUERIES[:3])
def test_hostile_text_in_a_hit_is_escaped_in_its_snippet(tmp_path, text):
    search.build_generation(tmp_path, [doc("need:9", "楼道清洁", f"居民留言 {text} 楼道清洁")])
    result = run_search(search.searcher(tmp_path), "楼道清洁")
    assert [hit["key"] for hit in result.hits] == ["need:9"]  # the loop below runs
    for hit in result.hits:
        shown = str(hit["snippet"])
        assert "<script" not in shown and "<img" not in shown


def test_snippet_escapes_text_and_adds_only_marks():
    html = str(snippet('<b>免费</b>停车位 "><img onerror=x>', ["停车", "<b>"]))
    assert "<b>" not in html and "<img" not in html
    assert "&lt;img onerror=x&gt;" in html
    assert "<mark>停车</mark>" in html
    assert "<mark>&lt;b&gt;</mark>" in html


def test_snippet_centres_on_the_first_match():
    text = "甲" * 200 + "停车位" + "乙" * 200
    html = str(snippet(text, ["停车"], width=60))
    assert html.startswith("…") and html.endswith("…") and "<mark>停车</mark>" in html


def test_titles_are_marked_whole_however_late_the_match():
    # regression: titles used to be cut into a window ("…活动临时<mark>停车</mark>位")
    html = str(mark("新华社区居民活动临时停车位", ["停车"]))
    assert html == "新华社区居民活动临时<mark>停车</mark>位"
    assert str(mark("<i>会议室</i>", ["会议"])) == "&lt;i&gt;<mark>会议</mark>室&lt;/i&gt;"


def test_update_replaces_by_key_and_replay_leaves_one_document(root):
    changed = doc("facility:1", "县医院收费停车场", capacity=40, free=False)
    with search.locked():
        search.write(root, [changed], [])
        search.write(root, [changed], [])  # replaying the same update leaves one document
    assert keys(root, "停车") == ["facility:1"]
    assert keys(root, "免费") == []
    with search.locked():
        search.write(root, [], ["facility:1", "facility:1"])
    assert keys(root, "停车") == []


def test_rebuild_swaps_in_a_new_generation(root):
    before = current_generation(root)
    search.build_generation(root, DOCUMENTS[:2])
    assert current_generation(root) != before and not before.exists()
    assert keys(root) == ["facility:1", "facility:2"]


def test_missing_or_corrupt_index_is_reported_not_crashed(tmp_path, root):
    assert not search.index_exists(tmp_path / "nowhere")
    for segment in current_generation(root).iterdir():
        segment.write_bytes(b"garbage")
    search.store.forget_searchers()
    with pytest.raises(search.IndexUnavailable):
        search.searcher(root)


def test_concurrent_writers_queue_on_the_lock(root):
    errors = []

    def writer(number: int):
        try:
            with search.locked():
                search.write(root, [doc(f"service:{100 + number}", f"法律援助{number}")], [])
        except Exception as error:  # pragma: no cover - the assertion reports it
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive(), "a thread hung"
    assert errors == []
    assert len(keys(root, "法律援助")) == 6


def test_a_busy_lock_raises_index_busy():
    with search.locked():
        result = []
        thread = threading.Thread(target=lambda: result.append(_try_lock()))
        thread.start()
        thread.join(timeout=120)
        assert not thread.is_alive(), "a thread hung"
    assert result == ["busy"]


def _try_lock():
    try:
        with search.locked(timeout=0.05):
            return "free"
    except search.IndexBusy:
        return "busy"


def test_threads_share_the_arrays_and_agree(root):
    expected = {text: keys(root, text) for text in ("停车", "会议室", "", "社区")}
    errors = []

    def reader():
        try:
            for _ in range(20):
                for text, wanted in expected.items():
                    assert keys(root, text) == wanted
        except Exception as error:  # pragma: no cover - reported by the assertion
            errors.append(error)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive(), "a thread hung"
    assert errors == []


def test_the_block_reader_agrees_with_whoosh_public_reader(root):
    from marketplace.search import postings

    assert postings.self_check() is True
    with search.locked():  # a second segment and a deletion
        search.write(root, [doc("facility:8", "社区停车场", "免费停车")], ["facility:2"])
    reader = search.searcher(root).reader()
    for leaf, _offset in reader.leaf_readers():
        for field, term in [("title", "停车"), ("body", "社区"), ("kind", "facility")]:
            if (field, term) in leaf:
                assert postings.block_ids(leaf, field, term).tolist() == sorted(
                    postings.public_ids(leaf, field, term).tolist()
                )


def test_an_untested_whoosh_falls_back_to_the_public_reader(root, monkeypatch):
    import whoosh

    from marketplace.search import postings

    expected = {text: keys(root, text) for text in ("停车", "会议室", "", "社区")}
    monkeypatch.setattr(whoosh, "__version__", (2, 7, 9))
    monkeypatch.setattr(postings, "_state", {})
    monkeypatch.setattr(postings, "block_ids", lambda *a: pytest.fail("private reader used"))
    search.query._fast_indexes.clear()
    assert postings.fast_reader_ok() is False
    assert {text: keys(root, text) for text in expected} == expected
    search.query._fast_indexes.clear()


def test_a_failed_open_of_a_newer_index_keeps_the_current_searcher(root, monkeypatch):
    current = search.searcher(root)
    with search.locked():
        search.write(root, [doc("facility:9", "夜间停车场")], [])
    monkeypatch.setattr(search.store.whoosh_index, "open_dir", lambda *a: 1 / 0)
    monkeypatch.setattr(search.store, "OPEN_RETRY_DELAY", 0)
    assert search.searcher(root) is current  # no error; the next search sees the change
    monkeypatch.undo()
    assert "facility:9" in keys(root, "停车")


# --- substrings (character pairs) and synonyms -------------------------------------------

SUBSTRING_DOCS = [
    doc("need:11", "新华社区楼道清理", "新华社区居民反映楼道堆物"),
    doc("facility:12", "社区助餐点", "为老年人提供午餐"),
    doc("facility:13", "城南社区活动室", "社区居民活动"),
    doc("facility:14", "县医院电动自行车停放点", "夜间开放"),
    doc("service:15", "长者送餐", "为独居老人送餐上门"),
    doc("facility:16", "县委停车场", "免费向居民开放"),
]


@pytest.fixture
def substring_root(tmp_path):
    search.build_generation(tmp_path, SUBSTRING_DOCS)
    return tmp_path


@pytest.mark.parametrize(
    ("text", "expected"),
    [("社区", {"need:11", "facility:12", "facility:13"}), ("助餐", {"facility:12"}),
     ("新华社区", {"need:11"}), ("华社", {"need:11"}), ("自行车停", {"facility:14"}),
     ("餐点", {"facility:12"}), ("社区 午餐", {"facility:12"})],
)  # fmt: skip
def test_a_query_finds_every_listing_containing_it(substring_root, text, expected):
    assert set(keys(substring_root, text)) == expected


def test_word_matches_rank_above_pair_only_matches(substring_root):
    result = run_search(search.searcher(substring_root), "社区")
    ranked = [hit["key"] for hit in result.hits]
    # 城南社区 and 社区助餐点 hold the word 社区; 新华社区 is 新华社 + 区 (pairs only)
    assert ranked[-1] == "need:11" and len(ranked) == 3
    assert "<mark>社区</mark>" in str(result.hits[-1]["title_marked"])


def test_synonyms_widen_a_query_at_query_time(substring_root):
    from marketplace.search.synonyms import Synonyms, parse

    synonyms = Synonyms(parse("停车场 停车位 停放点\n老人 老年人\n电动车，电动自行车  # 同义"))

    def found(text):
        result = run_search(search.searcher(substring_root), text, synonyms=synonyms)
        return {hit["key"] for hit in result.hits}

    assert found("电动车") == {"facility:14"}
    assert keys(substring_root, "电动车") == []  # without the list
    assert found("老人") == {"facility:12", "service:15"}
    assert found("停车位") == {"facility:14", "facility:16"}
    ranked = run_search(search.searcher(substring_root), "停车场", synonyms=synonyms).hits
    assert ranked[0]["key"] == "facility:16"  # the word itself first


def test_synonym_expansion_prefers_the_longest_word():
    from marketplace.search.synonyms import Synonyms, parse

    synonyms = Synonyms(parse("停车场 停车位 车位\n老人 老年人\n独居老人 空巢老人"))
    assert synonyms.expand("停车位") == ["停车位", "停车场", "车位"]
    assert synonyms.expand("空巢老人") == ["空巢老人", "独居老人"]
    assert synonyms.expand("老人活动") == ["老人活动", "老年人活动"]
    assert synonyms.expand("社区") == ["社区"]


def test_an_index_without_pairs_is_rebuilt_not_misread(tmp_path, monkeypatch):
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, Schema

    folder = tmp_path / "gen-old"
    folder.mkdir()
    whoosh_index.create_in(str(folder), Schema(key=ID(stored=True)))
    (tmp_path / "CURRENT").write_text("gen-old", encoding="utf-8")
    assert not search.index_exists(tmp_path)
