"""Timing tests: do two kinds of request take the same time? (Mann-Whitney U, no scipy.)

The samples are interleaved pairs, so a slow spell of the machine lands on both kinds alike,
and the test fails only when the difference is both significant (p < 0.001) and big enough
to matter over a network (a median gap over 1 ms).
"""

import math
import statistics
import time
from collections.abc import Callable

PAIRS = 50
SIGNIFICANCE = 0.001
GAP_SECONDS = 0.001


def mann_whitney_p(first: list[float], second: list[float]) -> float:
    """Two-sided p-value of the Mann-Whitney U test, by its normal approximation.

    Ties get their average rank and shrink the variance; a continuity correction of 0.5.
    """
    n1, n2 = len(first), len(second)
    combined = sorted([(value, 0) for value in first] + [(value, 1) for value in second])
    ranks = [0.0] * len(combined)
    ties = 0.0
    start = 0
    while start < len(combined):
        end = start
        while end + 1 < len(combined) and combined[end + 1][0] == combined[start][0]:
            end += 1
        for index in range(start, end + 1):
            ranks[index] = (start + end) / 2 + 1
        size = end - start + 1
        ties += size**3 - size
        start = end + 1
    rank_sum = sum(rank for rank, (_, group) in zip(ranks, combined, strict=True) if group == 0)
    u = rank_sum - n1 * (n1 + 1) / 2
    n = n1 + n2
    mean = n1 * n2 / 2
    variance = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if variance == 0:
        return 1.0
    z = (abs(u - mean) - 0.5) / math.sqrt(variance)
    return min(1.0, math.erfc(max(z, 0.0) / math.sqrt(2)))


def interleaved(
    first: Callable[[int], object], second: Callable[[int], object], pairs: int = PAIRS
) -> tuple[list[float], list[float]]:
    """Time `pairs` runs of each, alternating which goes first; each is given the pair's number."""
    a: list[float] = []
    b: list[float] = []
    for number in range(pairs):
        order = [(first, a), (second, b)] if number % 2 == 0 else [(second, b), (first, a)]
        for action, samples in order:
            start = time.perf_counter()
            action(number)
            samples.append(time.perf_counter() - start)
    return a, b


def assert_indistinguishable(first: list[float], second: list[float]) -> None:
    p = mann_whitney_p(first, second)
    gap = abs(statistics.median(first) - statistics.median(second))
    assert not (p < SIGNIFICANCE and gap > GAP_SECONDS), (
        f"told apart by timing: medians {statistics.median(first) * 1000:.2f} ms and "
        f"{statistics.median(second) * 1000:.2f} ms, p = {p:.1e}"
    )
