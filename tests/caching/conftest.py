from __future__ import annotations

from unittest import mock

import pytest

from reviews.blocks import ReviewStreamBlock


@pytest.fixture
def renders():
    """How many times a review body's StreamField is rendered for the API."""
    with mock.patch.object(
        ReviewStreamBlock,
        "get_api_representation",
        autospec=True,
        side_effect=ReviewStreamBlock.get_api_representation,
    ) as render:
        yield render
