"""The administrator by clicks: find, create and disable accounts; imports; ledgers."""

from tests.browser.helpers import assert_fits, axe_check, confirm, flash_text, login, nav

# each width disables its own account
TARGET = {1366: "unit40", 390: "unit41"}


def test_admin_finds_creates_and_disables_accounts(page_at, width):
    admin = login(page_at(width), "admin")
    axe_check(admin)
    assert_fits(admin)

    admin.get_by_label("搜索账号").fill(TARGET[width].upper())  # any letter case
    admin.get_by_role("button", name="筛选").click()
    rows = admin.locator("tbody tr")
    assert rows.count() == 1 and TARGET[width] in rows.inner_text()
    disable = rows.get_by_role("button", name="停用")
    if width < 576:
        box = disable.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width
        assert box["height"] < 40  # 停用 on one line
    disable.click()
    admin.get_by_role("dialog").get_by_role("button", name="取消").click()
    assert rows.get_by_role("button", name="停用").is_visible()  # still active
    rows.get_by_role("button", name="停用").click()
    confirm(admin)
    assert f"账号 {TARGET[width]} 已停用" in flash_text(admin)

    # the disabled account is told so, but only after the right password
    visitor = page_at(width)
    visitor.goto("/login")
    visitor.get_by_label("用户名").fill(TARGET[width])
    visitor.get_by_label("密码").fill("wrong-password")
    with visitor.expect_navigation():
        visitor.get_by_role("button", name="登录").click()
    assert "用户名或密码不正确" in flash_text(visitor)
    visitor.get_by_label("用户名").fill(TARGET[width].upper())
    visitor.get_by_label("密码").fill("demo-pass")
    with visitor.expect_navigation():
        visitor.get_by_role("button", name="登录").click()
    assert "该账号已停用" in flash_text(visitor)

    name = f"newstaff{width}"
    admin.get_by_role("link", name="新建账号").click()
    admin.get_by_label("用户名").fill(name.upper())
    admin.get_by_label("姓名").fill("新同事")
    admin.get_by_label("角色").select_option("reviewer")
    admin.get_by_label("初始密码").fill("a-long-password-42")
    admin.get_by_label("确认密码").fill("a-long-password-42")
    with admin.expect_navigation():
        admin.get_by_role("button", name="创建").click()
    assert f"已创建账号 {name}" in flash_text(admin)
    assert "/review/" in login(page_at(width), name, "a-long-password-42").url


def test_admin_checks_an_import_and_downloads_chinese_named_ledgers(page_at, width):
    admin = login(page_at(width), "admin")
    nav(admin, "台账与导入")
    axe_check(admin)
    assert_fits(admin)
    with admin.expect_download() as ledger:
        admin.get_by_role("link", name="下载需求清单台账").click()
    assert ledger.value.suggested_filename == "需求清单台账.xlsx"
    with admin.expect_download() as template:
        admin.get_by_role("link", name="社区", exact=True).click()
    assert template.value.suggested_filename == "社区导入模板.xlsx"

    admin.get_by_label("导入内容").select_option("communities")
    admin.get_by_label("Excel 文件（.xlsx，不超过 2 MB）").set_input_files(template.value.path())
    admin.get_by_label("只检查，不写入").check()
    admin.get_by_role("button", name="上传并导入").click()
    assert "检查通过（未写入）" in admin.locator(".alert-success").inner_text()

    # a file that is not a workbook is refused in Chinese
    admin.get_by_label("Excel 文件（.xlsx，不超过 2 MB）").set_input_files(
        {"name": "坏文件.xlsx", "mimeType": "application/octet-stream", "buffer": b"not excel"}
    )
    admin.get_by_role("button", name="上传并导入").click()
    refused = admin.locator(".invalid-feedback, .alert-danger").all_inner_texts()
    assert refused and all(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in refused)


def test_confirmation_works_without_javascript(page_at, width):
    target = {1366: "unit42", 390: "unit43"}[width]
    admin = login(page_at(width, javascript=False), "admin")
    admin.get_by_label("搜索账号").fill(target)
    admin.get_by_role("button", name="筛选").click()
    admin.locator("tbody tr").get_by_role("button", name="停用").click()
    admin.wait_for_load_state()
    assert admin.locator("h1").inner_text() == "请确认"  # a page asks, nothing changed yet
    assert "确定停用吗" in admin.locator("main").inner_text()
    with admin.expect_navigation():
        admin.get_by_role("button", name="确定").click()
    assert f"账号 {target} 已停用" in flash_text(admin)
    assert_fits(admin)
