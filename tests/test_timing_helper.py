"""The Mann-Whitney helper behind the timing tests gives the textbook answers."""

import pytest

from tests.timing import assert_indistinguishable, mann_whitney_p


def test_the_p_value_matches_a_worked_example():
    # Two small samples, U = 17: the normal approximation with continuity correction.
    assert mann_whitney_p([19, 22, 16, 29, 24], [20, 11, 17, 12]) == pytest.approx(
        0.11134688653314041, rel=1e-9
    )


def test_ties_are_averaged():
    # Ranks 1, 3, 3, 6 (ties of three at 2 and 3): U = 3, variance 16/12 * (9 - 48/56),
    # z = 4.5 / 3.295, p = erfc(z / sqrt 2).
    assert mann_whitney_p([1, 2, 2, 3], [2, 3, 3, 4]) == pytest.approx(0.17203, abs=1e-5)


def test_samples_alike_are_not_told_apart():
    same = [0.010 + (i % 7) / 10_000 for i in range(50)]
    assert mann_whitney_p(same, list(reversed(same))) == 1.0
    assert_indistinguishable(same, list(reversed(same)))


def test_a_clear_gap_is_told_apart():
    fast = [0.010 + (i % 7) / 10_000 for i in range(50)]
    slow = [value + 0.0025 for value in fast]
    assert mann_whitney_p(fast, slow) < 1e-15
    with pytest.raises(AssertionError, match="told apart by timing"):
        assert_indistinguishable(fast, slow)


def test_a_significant_gap_under_a_millisecond_is_accepted():
    fast = [0.010 + (i % 7) / 100_000 for i in range(50)]
    slow = [value + 0.0002 for value in fast]
    assert mann_whitney_p(fast, slow) < 0.001
    assert_indistinguishable(fast, slow)
