"""The demo loader builds follow-up data for the people app's demo persons and is idempotent."""

from __future__ import annotations

import pytest

from mestring.followup import demo
from mestring.followup.models import BoardEntry, Episode, FeedbackScore
from mestring.people import demo as people_demo

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent(world) -> None:  # type: ignore[no-untyped-def]
    people_demo.load(world)
    demo.load(world)
    counts = (Episode.objects.count(), FeedbackScore.objects.count(), BoardEntry.objects.count())
    demo.load(world)
    assert (Episode.objects.count(), FeedbackScore.objects.count(), BoardEntry.objects.count()) == counts
    assert counts[0] == 4
    assert FeedbackScore.objects.filter(person__first_name="Geir", off_track=True).exists()
    assert not FeedbackScore.objects.filter(person__first_name="Line", off_track=True).exists()
