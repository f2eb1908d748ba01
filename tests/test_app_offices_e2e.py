"""The app over several offices' published workbooks: routing answers name the office first,
and 事项与程序 has an office filter and column. Started on a free local port by the test."""

from pathlib import Path

import pytest

from tests.test_app_e2e import VIEWPORTS, _browser, _send, needs_browser, serve
from tests.test_routing import _small_lists

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def offices_url(tmp_path_factory: pytest.TempPathFactory, real_model_path):
    folder = _small_lists(tmp_path_factory.mktemp("office-lists"))
    yield from serve(tmp_path_factory, tmp_path_factory.mktemp("offices-data"), "--lists", str(folder))


@needs_browser
@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_routing_answer_shows_the_office_first_and_items_filter_by_office(offices_url: str, viewport: str,
                                                                        tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page(viewport=VIEWPORTS[viewport])
        page.goto(offices_url)
        _send(page, "有人把医保卡借给别人去医院刷卡看病，这种骗保行为该找哪个部门？")
        bot = page.locator("#chat [data-testid='bot']").first
        expect(bot).to_contain_text("负责部门", timeout=60_000)
        text = bot.inner_text()
        assert text.index("克拉玛依市医疗保障局") < text.index("——"), text  # the office before the citation
        page.get_by_role("tab", name="事项与程序").click()
        table = page.locator("#items-table")
        expect(table).to_contain_text("克拉玛依市机关事务管理局", timeout=20_000)
        office = page.locator(".filter").first
        expect(office).to_contain_text("部门")
        office.locator("input").click()
        page.get_by_role("option", name="克拉玛依市档案局").click()
        expect(table).not_to_contain_text("克拉玛依市机关事务管理局", timeout=20_000)
        expect(table).to_contain_text("克拉玛依市档案局")
        page.locator("#reset-filters").click()
        expect(table).to_contain_text("克拉玛依市机关事务管理局", timeout=20_000)
        browser.close()
