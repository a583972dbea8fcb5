"""Recall on the demo county: every listing containing a query is found."""

import shutil

import pytest

from marketplace.services.search import search_documents, search_index, search_synonyms

QUERIES = [
    "社区", "助餐", "新华社区", "停车", "会议室", "法律咨询", "老年", "志愿", "活动室",
    "居民", "医院", "党员", "培训", "维修", "儿童", "健康", "文化", "卫生", "街道", "服务",
    "餐点", "心理", "政策", "宣传",
]  # fmt: skip
SYNONYM_QUERIES = ["停车场", "老人", "电动车", "志愿者", "会议室"]


def text_of(document: dict) -> str:
    parts = [document.get(name) or "" for name in ("title", "body", "owner", "category",
                                                    "type", "township", "community")]  # fmt: skip
    return " ".join(parts).lower()


_built: dict[str, str] = {}


@pytest.fixture
def listings(demo_app, tmp_path_factory):
    """The demo listings' searchable text by key, with an index built once per backend."""
    root = demo_app.config["SEARCH_INDEX_DIR"]
    if demo_app.test_backend not in _built:
        search_index.rebuild()
        _built[demo_app.test_backend] = str(tmp_path_factory.mktemp("recall") / "index")
        shutil.copytree(root, _built[demo_app.test_backend])
    else:
        shutil.copytree(_built[demo_app.test_backend], root)
    return {doc["key"]: text_of(doc) for doc in search_documents.all_documents()}


def found(text: str) -> set[str]:
    result = search_index.search_listings(text, per_page=5000)
    assert result.total == len(result.hits)
    return {hit["key"] for hit in result.hits}


def test_every_listing_containing_the_query_is_found(listings):
    missed = {}
    for query in QUERIES:
        containing = {key for key, text in listings.items() if query in text}
        if containing - found(query):
            missed[query] = sorted(containing - found(query))[:5]
    assert missed == {}
    assert any(
        "新华社区" in text for text in listings.values()
    )  # a community name split by the tokenizer


def test_word_matches_come_before_substring_only_matches(listings):
    hits = search_index.search_listings("社区", per_page=5000).hits
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores, reverse=True)
    word_hits = [hit for hit in hits if hit["score"] >= 1.0]
    assert word_hits and hits[: len(word_hits)] == word_hits


def test_the_shipped_synonyms_widen_queries(listings):
    synonyms = search_synonyms.current()
    for query in SYNONYM_QUERIES:
        forms = synonyms.expand(query)
        assert len(forms) > 1, query
        containing = {key for key, text in listings.items() if any(f in text for f in forms)}
        assert containing <= found(query), query


def test_an_admin_edits_the_synonym_list_from_the_command_line(demo_app, listings):
    runner = demo_app.test_cli_runner()
    needle = next(key for key, text in listings.items() if "会议室" in text)
    assert needle not in found("开会地方")
    result = runner.invoke(args=["search", "synonyms", "--add", "开会地方 会议室"])
    assert result.exit_code == 0, result.output
    assert "开会地方 会议室 会场" in result.output
    assert needle in found("开会地方")
    assert runner.invoke(args=["search", "synonyms", "--remove", "开会地方"]).exit_code == 0
    assert needle not in found("开会地方")
    refused = runner.invoke(args=["search", "synonyms", "--add", "单独"])
    assert refused.exit_code == 1 and "至少需要两个" in refused.output
