"""Real and programmable peers for end-to-end tests.

- ``peers.rotel``: starts the real OTLP collector rotel and parses what it received
  (its detailed debug log) into the data model below.
- ``peers.receiver``: a programmable OTLP receiver (HTTP and gRPC, optional TLS/mTLS)
  that decodes every request with the official protobuf classes.
- ``peers.certs``: throw-away CAs and certificates for TLS tests.
- ``peers.prometheus``: a real Prometheus scraping the program, queried with PromQL.
- ``peers.cprog``: builds the C test programs; ``peers.sockets``: who listens where.

Both peers answer the same queries (``points``, ``latest_point``, ``wait_for_point``,
...) over the same data model (``Batch`` > ``Resource`` > ``Scope`` > ``Metric`` >
``DataPoint``), so a test can run against either.
"""
