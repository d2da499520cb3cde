# The seed story: a Julia program pushes metrics over OTLP to an
# OpenTelemetry Collector, which hands them on to Prometheus.
#
#   julia --project=examples/julia examples/julia/seed_otlp.jl
#
# Where to send comes from the standard variables: by default OTLP/HTTP to
# http://localhost:4318/v1/metrics; for gRPC set
#   OTEL_EXPORTER_OTLP_PROTOCOL=grpc OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317
# SHOP_SECONDS (default 30) says how long to trade.

include("shop.jl")

provider = MeterProvider(;
    service_name="julia-shop",
    exporters=[:otlp],
    # Export every 5 s unless OTEL_METRIC_EXPORT_INTERVAL says otherwise
    # (a setting given in code wins over the environment).
    export_interval=haskey(ENV, "OTEL_METRIC_EXPORT_INTERVAL") ? nothing : 5,
)
meter = Meter("julia-shop"; provider, version="1.0")
shop = shop_instruments(meter)

deadline = time() + parse(Float64, get(ENV, "SHOP_SECONDS", "30"))
while time() < deadline
    trade!(shop)
    sleep(0.5)
end

# Exports what is left (returning within 5 s whatever the collector does),
# then frees everything.
close(provider; timeout=5)
println("done: the collector got fruit_counter, balance and temperature")
