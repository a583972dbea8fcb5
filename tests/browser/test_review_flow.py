"""The reviewers by clicks: run → adjust → compare → submit → approve (another) → publish."""

from tests.browser.helpers import (
    assert_fits,
    axe_check,
    confirm,
    flash_text,
    label_overlaps,
    login,
    nav,
)


def test_reviewers_run_adjust_compare_submit_approve_publish(page_at, width):
    author = login(page_at(width), "reviewer")
    nav(author, "结对方案")
    axe_check(author)
    author.goto("/review/plans/new")
    author.get_by_role("button", name="求解并保存草稿").click()
    author.wait_for_load_state()
    assert "/review/plans/" in author.url and author.locator(".badge.status-draft").count()
    plan_url = author.url.split("#")[0]
    assert_fits(author)
    axe_check(author)

    # the 8,000 px page has a table of contents that jumps to each part
    author.locator(".plan-toc").get_by_role("link", name="得分表").click()
    assert author.url.endswith("#heatmap")
    author.wait_for_function(  # Bootstrap scrolls smoothly
        "() => document.getElementById('heatmap').getBoundingClientRect().top < 200"
    )
    # the score table is written out: every paired cell shows its number
    assert author.locator(".heatmap text").count() >= 88 * 11  # a number in every cell
    assert author.locator(".heatmap rect[stroke='#111']").count() >= 80
    # the pair map names every community and numbers every unit, no label over another
    labels = label_overlaps(author, ".pairs-map .map-label")
    assert labels["count"] >= 90 and labels["hits"] == 0, labels

    author.locator("#adjust").get_by_label("固定：单位").select_option(index=3)
    author.locator("#adjust").get_by_label("固定：社区").select_option(index=0)
    author.get_by_role("button", name="固定并重算").click()
    assert "调整" in author.locator("#adjust").inner_text()
    author.goto(plan_url)
    author.get_by_role("link", name="与已发布方案对比").click()
    assert "方案对比" in author.locator("h1").inner_text()
    assert_fits(author)
    axe_check(author)

    author.goto(plan_url)
    with author.expect_navigation():
        author.get_by_role("button", name="提交审核").click()
    assert "已提交审核" in flash_text(author)
    assert author.get_by_role("button", name="批准").count() == 0  # never offered to its author

    # the second reviewer is told, opens the notice (now read) and approves
    approver = login(page_at(width), "reviewer2")
    nav(approver, "通知")
    notice = approver.get_by_role("button", name="等待您批准").first
    notice.click()
    approver.wait_for_load_state()
    assert approver.url.split("#")[0] == plan_url
    with approver.expect_navigation():
        approver.get_by_role("button", name="批准").click()
    assert "方案已批准" in flash_text(approver)

    approver.get_by_role("button", name="发布并通知各方").click()
    dialog = approver.get_by_role("dialog")
    assert "不能撤销" in dialog.inner_text()
    dialog.get_by_role("button", name="取消").click()
    assert approver.locator(".badge.status-approved").count()  # not published yet
    approver.get_by_role("button", name="发布并通知各方").click()
    confirm(approver)
    assert "方案已发布" in flash_text(approver)
    assert approver.locator("nav .badge.text-bg-warning").count() == 0  # nothing unread left
