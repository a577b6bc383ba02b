"""Browser tests: a real embedded instance (`fedi serve` in a subprocess, SQLite, tasks in
process) driven by Debian's Chromium through Playwright for Python.

The browser is never downloaded: Playwright launches /usr/bin/chromium (`.ci/run` installs it).
Without it these tests skip on a developer machine and fail in CI (`CI` set).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.processes import FEDI, ROOT, embedded_env, free_port, process, run, wait_healthy

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "correct horse battery"
USERS = ("alice", "bob")
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
MOBILE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).parent == here:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


def _require_browser() -> Any:
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "the playwright package (pip install -e '.[dev]')"
    if missing is None and not Path(CHROMIUM).exists():
        missing = f"Chromium at {CHROMIUM} (apt-get install chromium)"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests need {missing}")
        pytest.skip(f"browser tests need {missing}")
    return sync_playwright


@dataclass
class Instance:
    base: str
    instance_dir: Path
    env: dict[str, str]


@pytest.fixture(scope="session")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    _require_browser()
    tmp = tmp_path_factory.mktemp("browser")
    port = free_port()
    env = embedded_env(tmp / "instance", port)
    with process([*FEDI, "serve", "--threads", "16"], env, tmp / "logs") as server:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, server, tmp / "logs")
        for name in USERS:
            made = run([*FEDI, "create-user", name, "--email", f"{name}@example.com",
                        "--password", PASSWORD], env)  # fmt: skip
            assert made.returncode == 0, made.stdout + made.stderr
        yield Instance(base, tmp / "instance", env)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    sync_playwright = _require_browser()
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Any) -> Iterator[Any]:
    chromium = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture
def new_context(browser: Any, instance: Instance) -> Iterator[Callable[..., Any]]:
    opened: list[Any] = []

    def make(**options: Any) -> Any:
        context = browser.new_context(base_url=instance.base, **options)
        context.set_default_timeout(10_000)
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


def sign_in(page: Any, username: str) -> None:
    page.goto("/auth/sign_in")
    page.fill("#login", username)
    page.fill("#password", PASSWORD)
    page.click("form[action='/auth/sign_in'] button[type=submit]")
    page.wait_for_load_state()


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
