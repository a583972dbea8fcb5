"""Pages of a list: the ids-first page keeps the order, the total and the loaded names."""

from sqlalchemy import select

from marketplace.models import Need
from marketplace.services.exchange.need_queries import need_options
from marketplace.services.pagination import paginate, paginate_rows
from tests.factories import make_need


def test_paginate_rows_matches_paginate_page_by_page(db):
    for title in ["甲", "乙", "丙", "丁", "戊"]:
        make_need(title=title)
    query = select(Need).order_by(Need.title.desc(), Need.id)
    for page in (1, 2, 3, 4):
        expected = paginate(query, page, 2)
        got = paginate_rows(query, Need, page, 2, *need_options())
        assert [n.id for n in got.items] == [n.id for n in expected.items]
        assert (got.total, got.page, got.pages) == (expected.total, expected.page, 3)
    first = paginate_rows(query, Need, 1, 2, *need_options()).items[0]
    assert first.community.township.name  # the names the list shows came with the page
