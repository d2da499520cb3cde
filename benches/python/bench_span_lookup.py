"""What looking up the current span costs a record outside every span, in one
process: otelmetrics' cases of ``bench_vs_sdk.py`` with the package's lookup of
opentelemetry-api's current span (the default when the API is importable)
against the same cases with the lookup switched off (as without the API).

    .venv-test/bin/python benches/python/bench_span_lookup.py [--calls N] [--rounds R]

The record methods take the lookup when their class is made (``_instruments``),
so the second set of instruments is made after switching it off.
"""

from __future__ import annotations

import bench_vs_sdk
import paired


def main() -> None:
    args = paired.arguments(__doc__.splitlines()[0])
    from otelmetrics import _instruments, _spans

    assert _spans.reader is not None, "opentelemetry-api's context is needed for the lookup"
    with_lookup = bench_vs_sdk.otelmetrics_cases()
    _spans.reader, _spans.span_of = None, None
    _instruments._specialized.clear()
    without_lookup = bench_vs_sdk.otelmetrics_cases()
    paired.compare(without_lookup, with_lookup, {}, calls=args.calls, rounds=args.rounds,
                   sides=("no lookup", "lookup"))


if __name__ == "__main__":
    main()
