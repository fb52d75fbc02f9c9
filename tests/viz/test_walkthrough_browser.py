"""The walkthrough page in a real browser: headless Chromium opens backward.html from file://,
steps through an MLP's backward with the keyboard and the buttons, and the highlighted node, the
coloured edges and the panel follow. Skipped (with the reason) where Chromium is not installed."""

from __future__ import annotations

import shutil
import tempfile

import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.nn import functional as F
from tinygrad_edu.viz import explain_backward
from tinygrad_edu.viz._render import find_renderer

pytest.importorskip("graphviz")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = [
    pytest.mark.skipif(find_renderer()[0] is None, reason="no Graphviz renderer installed"),
    pytest.mark.skipif(
        CHROMIUM is None or DRIVER is None,
        reason="Chromium and chromedriver are not installed (apt-get install "
        "chromium chromium-driver)",
    ),
]
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--window-size=1400,900",
)


@pytest.fixture()
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    with tempfile.TemporaryDirectory() as profile:
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(service=Service(DRIVER), options=options)
        try:
            yield driver
        finally:
            driver.quit()


def state(driver) -> dict:
    return driver.execute_script(
        "return {step: document.body.dataset.step,"
        " current: [...document.querySelectorAll('#graph g.node.current title')]"
        "   .map(e => e.textContent),"
        " carried: document.querySelectorAll('#graph g.edge.carried').length,"
        " now: document.querySelectorAll('#graph g.edge.now').length,"
        " counter: document.getElementById('counter').textContent,"
        " panel: document.getElementById('panel').innerText}"
    )


def test_step_through_an_mlp_backward(tmp_path, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    loss = F.cross_entropy(model(tg.randn(16, 4)), tg.randint(0, 3, (16,)))
    walk = explain_backward(loss, params=model)
    path = walk.save(tmp_path / "backward.html")
    browser.get(f"file://{path}")
    body = browser.find_element(By.TAG_NAME, "body")
    s = state(browser)
    assert s["step"] == "0" and s["counter"] == f"step 1 / {len(walk)}"
    assert sorted(s["current"]) == sorted(walk[0].highlight)
    assert "CrossEntropy" in s["panel"] and "seed: d(out)/d(out) = 1" in s["panel"]
    carried = s["carried"]
    for k in range(1, len(walk)):  # right arrow: one step at a time
        body.send_keys(Keys.ARROW_RIGHT)
        s = state(browser)
        assert s["step"] == str(k)
        assert sorted(s["current"]) == sorted(walk[k].highlight), k
        assert walk[k].title in s["panel"] and walk[k].rule in s["panel"]
        assert s["now"] == len(walk[k].edges) and s["carried"] >= carried
        carried = s["carried"]
    linear = next(i for i, st in enumerate(walk) if st.op == "Linear")
    body.send_keys(Keys.HOME)
    for _ in range(linear):
        browser.find_element(By.ID, "next").click()
    s = state(browser)
    assert s["step"] == str(linear) and "dw = g^T x" in s["panel"]
    assert "2.weight (3, 8)" in s["panel"] and walk[linear].delivered[1][2] in s["panel"]
    body.send_keys(Keys.ARROW_LEFT)
    assert state(browser)["step"] == str(linear - 1)
    body.send_keys(Keys.END)
    s = state(browser)
    assert s["step"] == str(len(walk) - 1) and s["current"] == walk[-1].highlight
    assert s["carried"] == len({e for st in walk for e in st.edges})
    assert browser.get_log("browser") == []  # no JavaScript errors
