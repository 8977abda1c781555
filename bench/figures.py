# Helpers the benchmark modules share for their figures blocks
# (bench/netbench.py, bench/fsbench.py).

import statistics


def summary(values):
    """(median, min, max) over the runs that gave a figure, or None."""
    ok = [v for v in values if v is not None]
    if not ok:
        return None
    return statistics.median(ok), min(ok), max(ok)


def values_line(title, key, values, fmt):
    """One details line: every run's value ("fail" for none) and the spread."""
    vals = ", ".join("fail" if v is None else fmt.format(v) for v in values)
    s = summary(values)
    spread = (f" (min {fmt.format(s[1])}, max {fmt.format(s[2])})"
              if s else "")
    return f"- {title}, {key}: {vals}{spread}"
