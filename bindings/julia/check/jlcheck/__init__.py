"""Mechanical checks of the Julia binding (bindings/julia/OtelMetrics)
against the C header and the built library, without running Julia."""
