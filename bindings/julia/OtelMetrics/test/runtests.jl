# The whole Julia API as a user drives it: `Pkg.test("OtelMetrics")` (needs
# the library: `cargo build --release` in the repository, or OTELMETRICS_LIB).
# Every test reads back what the library really aggregated through the
# in-memory reader (`read_json`), or what its Prometheus endpoint serves.

using Test
using Sockets
using OtelMetrics
using OtelMetrics: LibOtelMetrics, OtelMetricsError, rooted_callback_count, library_version, BINDING_VERSION

include("otlp_json.jl")
using .OtlpJson

"""A provider that exports nothing and keeps an in-memory reader."""
test_provider(; kwargs...) = MeterProvider(; exporters=[:none], in_memory_reader=true, service_name="julia-tests", kwargs...)

"""A provider exporting OTLP/HTTP to a port where nothing listens (a collector that is down)."""
function unreachable_otlp_provider()
    server = listen(Sockets.localhost, 0)
    port = Int(getsockname(server)[2])
    close(server)
    return MeterProvider(; exporters=[:otlp], otlp_endpoint="http://127.0.0.1:$port/v1/metrics",
                         otlp_protocol=:http_protobuf, otlp_timeout=1, export_timeout=1)
end

snapshot(p) = parse_json(read_json(p))
value_of(p, name, attrs=Dict()) = (pt = point(snapshot(p), name, attrs); pt === nothing ? nothing : point_value(pt))

"""Runs `f`, which must throw an OtelMetricsError with `status`; returns the error."""
function expect_status(f, status::Symbol)
    err = try
        f()
        nothing
    catch e
        e
    end
    @test err isa OtelMetricsError
    err isa OtelMetricsError || return err
    @test err.name == String(status)
    @test !isempty(err.message)
    return err
end

@testset "OtelMetrics" begin
    @testset "library and version" begin
        @test library_version() == BINDING_VERSION
        @test isfile(LibOtelMetrics.libotelmetrics)
    end

    @testset "counter: keyword, Dict, NamedTuple, set and bound attributes" begin
        p = test_provider()
        meter = Meter("shop"; provider=p, version="1.0")
        fruits = Counter{Int}("fruit_counter", meter; description="fruits sold", unit="{fruit}")
        fruits(2; name="apple", color="green")
        fruits(1, Dict("name" => "apple", "color" => "green"))
        fruits(4, (name="lemon", color="yellow"))
        lemon = Attributes(name="lemon", color="yellow")
        fruits(1, lemon)
        bound = bind_attributes(fruits; name="apple", color="green")
        bound(10)
        @test value_of(p, "fruit_counter", Dict("name" => "apple", "color" => "green")) == 13
        @test value_of(p, "fruit_counter", Dict("name" => "lemon", "color" => "yellow")) == 5
        m = metric(snapshot(p), "fruit_counter")
        @test m["description"] == "fruits sold"
        @test m["unit"] == "{fruit}"
        @test m["sum"]["isMonotonic"] == true
        close(bound); close(bound)        # idempotent
        close(lemon); close(lemon)
        close(fruits); close(fruits)
        close(meter)
        close(p); close(p)
        @test !isopen(p)
    end

    @testset "attribute values of every type, non-ASCII text counted in bytes" begin
        p = test_provider()
        c = Counter{Float64}("typed", Meter("t"; provider=p))
        c(1.5; text="pomme rôtie ☃", flag=true, n=42, x=0.25,
          words=["a", "é"], flags=[true, false], ints=[1, 2], xs=[0.5])
        pt = only(points(metric(snapshot(p), "typed")))
        attrs = Dict(a["key"] => a["value"] for a in pt["attributes"])
        @test attrs["text"]["stringValue"] == "pomme rôtie ☃"     # sizeof, not length: nothing cut off
        @test attrs["flag"]["boolValue"] == true
        @test string(attrs["n"]["intValue"]) == "42"               # OTLP-JSON writes int64 as a string
        @test attrs["x"]["doubleValue"] == 0.25
        @test [v["stringValue"] for v in attrs["words"]["arrayValue"]["values"]] == ["a", "é"]
        @test [v["boolValue"] for v in attrs["flags"]["arrayValue"]["values"]] == [true, false]
        @test [string(v["intValue"]) for v in attrs["ints"]["arrayValue"]["values"]] == ["1", "2"]
        @test point_value(pt) == 1.5
        @test_throws ArgumentError c(1.0; bad=Dict(1 => 2))
        close(p)
    end

    @testset "exemplars: the current span and a span per call" begin
        p = test_provider()
        meter = Meter("traced"; provider=p)
        requests = Counter{Int}("traced_requests", meter)
        latency = Histogram{Float64}("traced_latency", meter)
        span = SpanContext(0x0af7651916cd43dd8448eb211c80319c, 0xb7ad6b7169203331)
        other = SpanContext(0x1bf7651916cd43dd8448eb211c80319c, 0xc7ad6b7169203331)
        set_current_span!(span)
        requests(1; route="/current")
        clear_current_span!()
        requests(1, other; route="/call")
        requests(1, SpanContext(0x2bf7651916cd43dd8448eb211c80319c, 0xd7ad6b7169203331; sampled=false); route="/quiet")
        latency(2.5, other, Dict("route" => "/call"))
        bound = bind_attributes(requests; route="/bound")
        bound(3, other)
        ids(route, name="traced_requests") = [(e["traceId"], e["spanId"]) for e in
                                              get(point(snapshot(p), name, Dict("route" => route)), "exemplars", [])]
        @test ids("/current") == [("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331")]
        @test ids("/call") == [("1bf7651916cd43dd8448eb211c80319c", "c7ad6b7169203331")]
        @test ids("/bound") == ids("/call")
        @test ids("/call", "traced_latency") == ids("/call")
        @test isempty(ids("/quiet"))
        expect_status(() -> set_current_span!(SpanContext(0, 1)), :INVALID_ARGUMENT)
        close(bound); close(latency); close(requests); close(meter); close(p)
        q = test_provider(; exemplar_filter=:always_off)
        quiet = Counter{Int}("quiet", Meter("m"; provider=q))
        quiet(1, span)
        @test !haskey(point(snapshot(q), "quiet"), "exemplars")
        close(quiet); close(q)
    end

    @testset "up-down counter, histogram, gauge" begin
        p = test_provider()
        meter = Meter("bank"; provider=p)
        balance = UpDownCounter{Int}("balance", meter; unit="USD")
        balance(100; account="alice")
        balance(-30; account="alice")
        @test value_of(p, "balance", Dict("account" => "alice")) == 70

        latency = Histogram{Float64}("latency", meter; unit="s", boundaries=[1.0, 5.0, 10.0])
        for x in (0.5, 2.0, 3.0, 7.0, 20.0)
            latency(x)
        end
        h = point(snapshot(p), "latency")
        @test parse(Int, string(h["count"])) == 5
        @test h["sum"] == 32.5
        @test h["explicitBounds"] == [1.0, 5.0, 10.0]
        @test [parse(Int, string(b)) for b in h["bucketCounts"]] == [1, 2, 1, 1]

        sizes = Histogram{Int}("sizes", meter; unit="By")
        sizes(512)
        @test parse(Int, string(point(snapshot(p), "sizes")["count"])) == 1

        temperature = Gauge{Float64}("room_temperature", meter; unit="Cel")
        temperature(20.5; room="kitchen")
        temperature(21.0; room="kitchen")
        @test value_of(p, "room_temperature", Dict("room" => "kitchen")) == 21.0
        queue = Gauge{Int}("queue_depth", meter)
        queue(-3)
        @test value_of(p, "queue_depth") == -3
        @test_throws ArgumentError Gauge{Float64}("g", meter; boundaries=[1.0])
        close(p)
    end

    @testset "invalid values and names are library errors with messages" begin
        p = test_provider()
        meter = Meter("errors"; provider=p)
        c = Counter{Float64}("c", meter)
        expect_status(() -> c(-1.0), :INVALID_VALUE)
        expect_status(() -> c(NaN), :INVALID_VALUE)
        u = Counter{Int}("u", meter)
        @test_throws ArgumentError u(-1)                # seen before the call, as in Python
        err = expect_status(() -> Counter{Int}("9 starts with a digit", meter), :INVALID_NAME)
        @test occursin("9 starts with a digit", err.message) || occursin("name", err.message)
        expect_status(() -> Meter(""; provider=p), :INVALID_NAME)
        expect_status(() -> c(1.0; Symbol("") => "empty key"), :INVALID_ARGUMENT)
        @test value_of(p, "c") === nothing        # nothing was recorded by the failed calls
        close(p)
    end

    @testset "invalid configuration" begin
        expect_status(() -> MeterProvider(; exporters=[:otlp], otlp_endpoint="not a url"), :INVALID_CONFIG)
        expect_status(() -> MeterProvider(; export_interval=0), :INVALID_CONFIG)
        @test_throws ArgumentError MeterProvider(; exporters=[:carrier_pigeon])
        @test_throws ArgumentError MeterProvider(; otlp_protocol=:smoke_signals)
        expect_status(() -> MeterProvider(; views=[View(name="renamed")]), :INVALID_CONFIG)   # selects nothing
        expect_status(() -> MeterProvider(; exporters=[:otlp], max_export_batch_size=0), :INVALID_CONFIG)
        @test_throws ArgumentError MeterProvider(; otlp_compression=:brotli)
    end

    @testset "zstd, a batch size and self-metrics are accepted" begin
        p = MeterProvider(; exporters=[:otlp], otlp_endpoint="http://127.0.0.1:9/v1/metrics", otlp_compression=:zstd,
                          max_export_batch_size=500, self_metrics=true)
        close(p)
    end

    @testset "observable instruments: one value, many measurements, totals" begin
        p = test_provider()
        meter = Meter("observed"; provider=p)
        readings = Ref(0.0)
        g = ObservableGauge{Float64}("temperature", meter; unit="Cel") do
            readings[] += 1
            [Measurement(21.5; room="kitchen"), Measurement(19.0, Dict("room" => "cellar"))]
        end
        total = Ref(10)
        c = ObservableCounter{Int}("bytes_read", meter; unit="By") do
            total[]                       # the running total, not an increment
        end
        q = ObservableUpDownCounter{Int}("queue_items", meter) do
            Measurement(-2; queue="jobs")
        end
        doc = snapshot(p)
        @test point_value(point(doc, "temperature", Dict("room" => "kitchen"))) == 21.5
        @test point_value(point(doc, "temperature", Dict("room" => "cellar"))) == 19.0
        @test point_value(point(doc, "bytes_read")) == 10
        @test point_value(point(doc, "queue_items", Dict("queue" => "jobs"))) == -2
        total[] = 25
        @test value_of(p, "bytes_read") == 25      # reported total, not 10 + 25
        @test readings[] >= 2
        before = rooted_callback_count()
        close(g); close(g)
        @test rooted_callback_count() == before - 1      # the library released its user data
        n = readings[]
        snapshot(p)
        @test readings[] == n                            # not called after close
        close(c); close(q)
        close(p)
    end

    @testset "a throwing callback is caught, counted, and does not stop the others" begin
        p = test_provider()
        meter = Meter("faulty"; provider=p)
        bad = ObservableGauge{Float64}("bad", meter) do
            error("sensor unplugged")
        end
        good = ObservableGauge{Float64}("good", meter) do
            1.0
        end
        wrong_type = ObservableGauge{Float64}("wrong", meter) do
            "not a number"
        end
        doc = snapshot(p)
        @test point_value(point(doc, "good")) == 1.0
        @test point(doc, "bad") === nothing
        @test callback_errors(bad) >= 1
        @test callback_errors(wrong_type) >= 1
        @test callback_errors(good) == 0
        foreach(close, (bad, good, wrong_type))
        close(p)
    end

    @testset "one callback for several instruments; unregister" begin
        p = test_provider()
        meter = Meter("pool"; provider=p)
        used = ObservableGauge{Float64}("pool_used", meter)
        free = ObservableUpDownCounter{Int}("pool_free", meter)
        calls = Ref(0)
        reg = register_callback(meter, [used, free]) do
            calls[] += 1
            (used => Measurement(3.5; pool="heap"), free => [Measurement(7; pool="heap"), Measurement(1; pool="stack")])
        end
        doc = snapshot(p)
        @test point_value(point(doc, "pool_used", Dict("pool" => "heap"))) == 3.5
        @test point_value(point(doc, "pool_free", Dict("pool" => "heap"))) == 7
        @test point_value(point(doc, "pool_free", Dict("pool" => "stack"))) == 1
        unregister(reg); unregister(reg)
        n = calls[]
        snapshot(p)
        @test calls[] == n
        close(reg); close(reg)
        other = ObservableGauge{Float64}("other", meter)
        stray = register_callback(meter, [used]) do
            other => 1.0                                   # not registered for `other`
        end
        snapshot(p)
        @test callback_errors(stray) >= 1
        foreach(close, (stray, used, free, other))
        close(p)
    end

    @testset "views" begin
        p = test_provider(; views=[
            View(instrument_name="http.server.duration", name="latency", description="renamed"),
            View(instrument_name="debug.*", aggregation=DropAggregation()),
            View(instrument_name="requests", allowed_attribute_keys=["route"]),
            View(instrument_kind=:histogram, instrument_name="sizes",
                 aggregation=ExplicitBucketHistogramAggregation([10, 100]; record_min_max=false)),
            View(instrument_name="users", cardinality_limit=3),
        ])
        meter = Meter("views"; provider=p)
        Histogram{Float64}("http.server.duration", meter)(0.1)
        Counter{Int}("debug.calls", meter)(1)
        Counter{Int}("requests", meter)(1; route="/", user="u1")
        Histogram{Int}("sizes", meter)(50)
        users = Counter{Int}("users", meter)
        for i in 1:10
            users(1; id=i)
        end
        doc = snapshot(p)
        @test metric(doc, "http.server.duration") === nothing
        @test metric(doc, "latency")["description"] == "renamed"
        @test metric(doc, "debug.calls") === nothing
        @test point_value(point(doc, "requests", Dict("route" => "/"))) == 1
        @test point(doc, "sizes")["explicitBounds"] == [10.0, 100.0]
        user_points = points(metric(doc, "users"))
        @test length(user_points) <= 3
        @test sum(point_value, user_points) == 10            # overflow keeps the total exact
        @test any(pt -> any(a -> a["key"] == "otel.metric.overflow", pt["attributes"]), user_points)
        close(p)
    end

    @testset "flush, shutdown, close" begin
        p = test_provider()
        meter = Meter("life"; provider=p)
        c = Counter{Int}("events", meter)
        c(1)
        @test force_flush(p; timeout=5)
        @test shutdown(p; timeout=5) == true
        @test shutdown(p; timeout=5) == false          # already shut down
        expect_status(() -> c(1), :SHUTDOWN)
        expect_status(() -> Counter{Int}("late", meter), :SHUTDOWN)
        close(p); close(p)
        expect_status(() -> force_flush(p), :NULL_POINTER)   # closed: a NULL handle, as in Python
        q = test_provider()
        @test_throws ArgumentError force_flush(q; timeout=-1)
        close(q)
    end

    @testset "a collector that is down: flush returns within its timeout" begin
        # The call must come back (TIMEOUT or EXPORT_FAILED), not hang.
        p = unreachable_otlp_provider()
        Counter{Int}("lost", Meter("down"; provider=p))(1)
        err = try
            force_flush(p; timeout=2)
            nothing
        catch e
            e
        end
        @test err isa OtelMetricsError
        @test err.name in ("TIMEOUT", "EXPORT_FAILED")
        try close(p; timeout=2) catch end
        @test !isopen(p)
    end

    # With a collector at hand (e.g. `rotel-agent start --otlp-http-endpoint 127.0.0.1:4318`):
    #   OTELMETRICS_TEST_COLLECTOR=http://127.0.0.1:4318/v1/metrics julia -e 'using Pkg; Pkg.test("OtelMetrics")'
    collector = get(ENV, "OTELMETRICS_TEST_COLLECTOR", "")
    if !isempty(collector)
        @testset "OTLP to a real collector ($collector)" begin
            p = MeterProvider(; exporters=[:otlp], otlp_endpoint=collector, otlp_protocol=:http_protobuf,
                              service_name="julia-tests")
            meter = Meter("shop"; provider=p)
            Counter{Int}("fruit_counter", meter)(2; name="apple", color="green")
            UpDownCounter{Int}("balance", meter)(-3; account="till")
            ObservableGauge{Float64}("temperature", meter) do
                21.5
            end
            @test force_flush(p; timeout=10)          # throws EXPORT_FAILED/TIMEOUT unless the collector took it
            @test shutdown(p; timeout=10)
            close(p)
        end
    end

    @testset "Prometheus endpoint" begin
        p = MeterProvider(; exporters=[:prometheus], prometheus_host="127.0.0.1", prometheus_port=0)
        port = prometheus_port(p)
        @test port > 0
        Counter{Int}("fruit_counter", Meter("shop"; provider=p))(3; name="apple")
        sock = connect(Sockets.localhost, port)
        write(sock, "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        body = read(sock, String)
        close(sock)
        @test occursin(r"fruit_counter(_total)?\{[^}]*name=\"apple\"[^}]*\} 3", body)
        @test prometheus_ports(p) == [port]
        shutdown(p)
        expect_status(() -> prometheus_ports(p), :SHUTDOWN)
        close(p)
        expect_status(() -> prometheus_port(test_provider()), :INVALID_ARGUMENT)
        @test prometheus_ports(test_provider()) == Int[]
        pull = "    - pull:\n        exporter:\n          prometheus/development: {host: 127.0.0.1, port: 0}\n"
        two = MeterProvider(; config_yaml="file_format: \"1.0\"\nmeter_provider:\n  readers:\n" * pull * pull)
        ports = prometheus_ports(two)
        @test length(ports) == 2 && ports[1] == prometheus_port(two) && ports[1] != ports[2]
        close(two)
    end

    @testset "from the environment" begin
        withenv("OTEL_METRICS_EXPORTER" => "none", "OTEL_SERVICE_NAME" => "from-env") do
            p = meter_provider_from_env()
            @test isopen(p)
            close(p)
        end
    end

    @testset "global provider" begin
        p = test_provider()
        global_meter_provider!(p)
        @test global_meter_provider() === p
        Counter{Int}("global_events", Meter("default"))(2)   # no provider given: the global one
        @test value_of(p, "global_events") == 2
        close(p)
    end

    @testset "threads record exact totals" begin
        p = test_provider()
        c = Counter{Int}("parallel", Meter("threads"; provider=p))
        bound = bind_attributes(c; kind="bound")
        Threads.@threads for i in 1:1000
            c(1; kind="plain")
            bound(1)
        end
        @test value_of(p, "parallel", Dict("kind" => "plain")) == 1000
        @test value_of(p, "parallel", Dict("kind" => "bound")) == 1000
        close(p)
    end

    @testset "finalizers only free; callbacks of collected instruments are released" begin
        p = test_provider()
        meter = Meter("gc"; provider=p)
        before = rooted_callback_count()
        function make_garbage()
            for i in 1:20
                ObservableGauge{Float64}("transient_$i", meter) do
                    1.0
                end
                Counter{Int}("transient_counter_$i", meter)(1)
                Attributes(i=i)
            end
        end
        make_garbage()
        GC.gc(); GC.gc()
        OtelMetrics.drain_deferred_frees()           # what the next API call does anyway
        @test rooted_callback_count() == before
        @test force_flush(p)                          # the provider is untouched by it all
        close(p)
    end

    @testset "diagnostic hook" begin
        messages = Channel{Tuple{Symbol, String}}(32)
        set_diagnostic_hook((level, msg) -> isready(messages) || put!(messages, (level, msg)))
        p = unreachable_otlp_provider()
        Counter{Int}("undelivered", Meter("diag"; provider=p))(1)
        try force_flush(p; timeout=3) catch end
        deadline = time() + 10
        while !isready(messages) && time() < deadline
            sleep(0.05)                               # polled with a deadline
        end
        @test isready(messages)
        level, msg = take!(messages)
        @test level in (:error, :warn)
        @test !isempty(msg)
        set_diagnostic_hook(nothing)
        try close(p; timeout=2) catch end
    end
end
