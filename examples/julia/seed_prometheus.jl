# The Prometheus variant of the seed story: no collector, the library serves
# a Prometheus /metrics endpoint that Prometheus scrapes directly.
#
#   julia --project=examples/julia examples/julia/seed_prometheus.jl
#   curl http://127.0.0.1:9464/metrics
#
# PROMETHEUS_PORT (default 9464; 0 picks a free port), SHOP_SECONDS (default 60).

include("shop.jl")

provider = MeterProvider(;
    service_name="julia-shop",
    exporters=[:prometheus],
    prometheus_host="127.0.0.1",
    prometheus_port=parse(Int, get(ENV, "PROMETHEUS_PORT", "9464")),
)
shop = shop_instruments(Meter("julia-shop"; provider, version="1.0"))
println("serving http://127.0.0.1:$(prometheus_port(provider))/metrics")

deadline = time() + parse(Float64, get(ENV, "SHOP_SECONDS", "60"))
while time() < deadline
    trade!(shop)
    sleep(0.5)
end
close(provider)
