"""Judging paired, interleaved timings (known account, unknown account) for a leak."""

import statistics


def assert_alike_in_time(timings: list[tuple[float, float]], *, most_known_slower: int = 16) -> None:
    """Work done only for a known account makes it the slower of nearly every pair and shifts
    the median; noise does neither. With 20 pairs, 17 or more one way happens by chance about
    once in 800; the medians may differ by half the smaller one, plus 3 ms."""
    known_median = statistics.median(k for k, _ in timings)
    unknown_median = statistics.median(u for _, u in timings)
    known_slower = sum(k > u for k, u in timings)
    print(f"median known {known_median * 1000:.1f} ms, unknown {unknown_median * 1000:.1f} ms, "
          f"known slower in {known_slower}/{len(timings)} pairs")
    assert known_slower <= most_known_slower
    assert abs(known_median - unknown_median) < 0.5 * min(known_median, unknown_median) + 0.003
