"""Nothing a lecturer trained is lost: a worse generator stays aside until chosen."""

from __future__ import annotations

import pytest

from core import settings, store
from core.model_quality import quality
from tests.e2e.browser import running_app, start_one_minute_of_gan_training, stop_job, wait_idle

pytestmark = pytest.mark.e2e


def test_a_worse_generator_stays_aside_until_chosen(own_trained, good_gan_saved, chromium):
    good = good_gan_saved
    with running_app({settings.HOME_ENV: str(own_trained),
                      settings.AUTOTRAIN_ENV: "0"}) as url:
        page = chromium.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        start_one_minute_of_gan_training(page, url)  # over the saved run: fresh, when asked
        page.locator("[data-testid=stImage] img").first.wait_for(timeout=60_000)
        stop_job(page)
        page.get_by_text("the stored one stays in use").wait_for(timeout=90_000)
        assert store.read_card("dcgan_fast", "mnist").file == good.file
        worse = store.versions("dcgan_fast", "mnist")[0]
        assert worse.file != good.file and quality(worse) < quality(good)
        page.get_by_role("button", name="Use the new one instead").click()
        page.get_by_text("is in use; the run is saved").wait_for(timeout=30_000)
        wait_idle(page)
        assert store.read_card("dcgan_fast", "mnist").file == worse.file
        assert page.locator("[data-testid=stException]").count() == 0
