"""Regenerate docs/images/walkthrough.png: python docs/make_walkthrough_image.py

Saves the step-through of a small MLP's backward as HTML, opens it in headless Chromium (Debian's
`chromium` and `chromium-driver`, driven by selenium), steps to the first Linear node with the
right-arrow key and takes a screenshot.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu.nn import functional as F
from tinygrad_edu.viz import explain_backward

OUT = Path(__file__).resolve().parent / "images"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--window-size=1400,820",
    "--hide-scrollbars",
)


def main() -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    loss = F.cross_entropy(model(tg.randn(16, 4)), tg.randint(0, 3, (16,)))
    walk = explain_backward(loss, params=model)
    step = next(i for i, s in enumerate(walk) if s.op == "Linear")
    with tempfile.TemporaryDirectory() as tmp:
        page = walk.save(Path(tmp) / "backward.html")
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
        for flag in FLAGS + (f"--user-data-dir={tmp}/profile",):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
        try:
            driver.get(f"file://{page}")
            body = driver.find_element(By.TAG_NAME, "body")
            for _ in range(step):
                body.send_keys(Keys.ARROW_RIGHT)
            OUT.mkdir(exist_ok=True)
            driver.save_screenshot(str(OUT / "walkthrough.png"))
        finally:
            driver.quit()
    print(OUT / "walkthrough.png")


if __name__ == "__main__":
    main()
