"""Batch planning: batches of about ``batch_size``, journeys never split, deterministic."""

from __future__ import annotations

import pytest

from flows.batches import plan_batches

CASES = [
    # ids, journey_of, batch_size, expected
    pytest.param(["c1", "c2", "c3"], {}, 2, [["c1", "c2"], ["c3"]], id="no-journeys"),
    pytest.param(["c1", "c2", "c3"], {"c1": "j1", "c2": "j1"}, 2, [["c1", "c2"], ["c3"]], id="journey-fits"),
    pytest.param(
        ["c1", "c2", "c3"], {"c2": "j1", "c3": "j1"}, 2, [["c1"], ["c2", "c3"]], id="journey-to-next-batch"
    ),
    pytest.param(
        ["c1", "c2", "c3", "c4"],
        {k: "j" for k in ("c1", "c2", "c3")},
        2,
        [["c1", "c2", "c3"], ["c4"]],
        id="oversized-journey-alone",
    ),  # fmt: skip
    pytest.param(["c1", "c3", "c2"], {"c1": "j1", "c2": "j1"}, 5, [["c1", "c2", "c3"]], id="journey-grouped"),
    pytest.param(["c1", "c1", "c2"], {}, 1, [["c1"], ["c2"]], id="duplicates-dropped"),
    pytest.param([], {}, 3, [], id="empty"),
]


@pytest.mark.parametrize(("ids", "journey_of", "batch_size", "expected"), CASES)
def test_plan_batches(
    ids: list[str], journey_of: dict[str, str], batch_size: int, expected: list[list[str]]
) -> None:
    assert plan_batches(ids, journey_of, batch_size) == expected


def test_every_id_lands_in_exactly_one_batch_and_journeys_stay_whole() -> None:
    ids = [f"c{i}" for i in range(1000)]
    journey_of = {cid: f"j{i // 7}" for i, cid in enumerate(ids) if i % 3}
    batches = plan_batches(ids, journey_of, 200)
    flat = [cid for batch in batches for cid in batch]
    assert sorted(flat) == sorted(ids)
    homes = {journey_of[cid]: i for i, batch in enumerate(batches) for cid in batch if cid in journey_of}
    for i, batch in enumerate(batches):
        assert all(homes[journey_of[cid]] == i for cid in batch if cid in journey_of)
        assert len(batch) <= 200 + 7
    assert plan_batches(ids, journey_of, 200) == batches


def test_batch_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        plan_batches(["c1"], {}, 0)
