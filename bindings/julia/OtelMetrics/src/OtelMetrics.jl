"""
    OtelMetrics

OpenTelemetry metrics for Julia over the otelmetrics shared library: the
names of OpenTelemetry.jl (`MeterProvider`, `Meter`, `Counter{T}`, ...),
with the library's OTLP gRPC/HTTP exporters, Prometheus endpoint, views and
bounded cardinality.

```julia
using OtelMetrics
provider = MeterProvider(; service_name="shop", otlp_endpoint="http://127.0.0.1:4317")
meter = Meter("shop"; provider)
fruits = Counter{Int}("fruit_counter", meter; description="fruits sold")
fruits(2; name="apple", color="green")
close(provider)   # exports what is left, then frees
```
"""
module OtelMetrics

include("LibOtelMetrics.jl")
const L = LibOtelMetrics

include("errors.jl")
include("handles.jl")
include("attributes.jl")
include("callbacks.jl")
include("views.jl")
include("provider.jl")
include("meter.jl")
include("spans.jl")
include("instruments.jl")
include("observables.jl")
include("diagnostics.jl")

export MeterProvider, meter_provider_from_env, global_meter_provider, global_meter_provider!,
       force_flush, shutdown, read_json, prometheus_port, prometheus_ports,
       Meter, Counter, UpDownCounter, Histogram, Gauge,
       BoundCounter, BoundUpDownCounter, BoundHistogram, BoundGauge, bind_attributes, isenabled,
       ObservableCounter, ObservableUpDownCounter, ObservableGauge, Measurement,
       register_callback, unregister, CallbackRegistration, callback_errors,
       Attributes, View, DropAggregation, SumAggregation, LastValueAggregation,
       ExplicitBucketHistogramAggregation, Base2ExponentialHistogramAggregation,
       OtelMetricsError, set_diagnostic_hook,
       SpanContext, set_current_span!, clear_current_span!

"""The library version these bindings were written for (the header's `OTELMETRICS_VERSION_*`)."""
const BINDING_VERSION = VersionNumber(L.OTELMETRICS_VERSION_MAJOR, L.OTELMETRICS_VERSION_MINOR, L.OTELMETRICS_VERSION_PATCH)

"""The loaded library's version."""
library_version() = VersionNumber(unsafe_string(L.otelmetrics_version()))

function __init__()
    # The library path is fixed at precompile time; say so if the
    # environment now asks for another one.
    wanted = L.find_library()
    wanted == L.libotelmetrics || error("OtelMetrics was precompiled for $(L.libotelmetrics) but OTELMETRICS_LIB now " *
                                        "points to $wanted: run `Base.compilecache(Base.identify_package(\"OtelMetrics\"))` " *
                                        "or start Julia with the same OTELMETRICS_LIB.")
    # A bare name (no '/') is left to the system's library search path.
    !occursin('/', L.libotelmetrics) || isfile(L.libotelmetrics) ||
        error("otelmetrics library not found at $(L.libotelmetrics): install the package's artifact " *
              "(`Pkg.instantiate()`), build it with `cargo build --release` in the repository, or set " *
              "OTELMETRICS_LIB or the \"libotelmetrics\" preference")
    # The version rule shared with the Python package (README, "One rule in both bindings").
    loaded = library_version()
    L.is_compatible_version(loaded) ||
        error("$(L.libotelmetrics) is otelmetrics $loaded, but this Julia package was made for $BINDING_VERSION " *
              "(same major.minor needed): update the package or point OTELMETRICS_LIB at a matching build")
    # Shut open providers down while Julia can still run their callbacks.
    atexit(() -> (drain_deferred_frees(); shutdown_open_providers(); drain_deferred_frees()))
    return nothing
end

end # module OtelMetrics
