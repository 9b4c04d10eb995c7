"""Checks axe-core does not make, on the pages that need them: the contrast of every link's
and button's text (axe-core missed white on white in the "Phone now" panel).
"""

from collections.abc import Callable

import pytest

from frontdoor.accounts.models import User
from tests.browser.conftest import CheckedPage, assert_contrast, contrast_ratio
from tests.browser.test_referral_forms import SOCIAL_CARE, heading, sign_in, start_form

pytestmark = pytest.mark.browser


def test_the_contrast_ratio_is_wcags() -> None:
    # The figures WCAG's own examples give: black on white 21:1, #767676 on white 4.54:1.
    assert contrast_ratio([0, 0, 0], [255, 255, 255]) == pytest.approx(21)
    assert contrast_ratio([118, 118, 118], [255, 255, 255]) == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio([255, 255, 255], [255, 255, 255]) == pytest.approx(1)


def test_phone_now_and_the_pages_around_it_can_be_read(
    web: CheckedPage, professional: User, run_tasks: Callable[[], None]
) -> None:
    web.goto("/")
    assert_contrast(web.page)  # the home page, signed out
    web.follow("Sign in", within=web.header)
    assert_contrast(web.page)
    web.goto("/")
    sign_in(web, professional.email, run_tasks)
    assert_contrast(web.page)  # the home page, signed in
    start_form(web, SOCIAL_CARE)
    assert_contrast(web.page)  # the task list
    web.follow("Immediate risk", within=web.main)
    web.choose("Yes", group="Is the child at risk of significant harm now?")
    web.submit("Save and continue")

    heading(web, "Phone now")
    assert_contrast(web.page)
    web.follow("Continue with the form", within=web.main)
    heading(web, SOCIAL_CARE)
