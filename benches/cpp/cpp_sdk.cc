// The OpenTelemetry C++ SDK (Debian's opentelemetry-cpp 1.19) doing the same
// work as benches/hot_path.rs: a counter add and a histogram record with 3
// attributes (two strings and an int) built per call, then the counter from
// 2 threads on distinct series. The C++ SDK has no bound instruments; its
// idiomatic per-call path is an initializer list of key/value pairs. A
// manual reader (never collected during the measurement) keeps the pipeline
// the same as the Rust side's; counters add 1, histograms record i % 1000.
//
//   cpp_sdk                      "<name> wall <min> <median> <max> cpu <min>
//                                <median> <max>" (ns per call over rounds, by
//                                the wall clock and the thread's CPU time),
//                                then the 2-thread ratio
//   cpp_sdk --run-one <case>     runs one case (or "empty") for callgrind,
//                                which counts otelmetrics_bench_measured only
// Build and run: benches/cpp/run.sh [--instructions]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "opentelemetry/metrics/provider.h"
#include "opentelemetry/sdk/metrics/meter_provider.h"
#include "opentelemetry/sdk/metrics/meter_provider_factory.h"
#include "opentelemetry/sdk/metrics/metric_reader.h"

namespace metrics_sdk = opentelemetry::sdk::metrics;
namespace metrics_api = opentelemetry::metrics;

constexpr uint64_t kIterations = 1000000;
constexpr int kRounds = 11;
constexpr uint64_t kInstructionCalls = 200000;
constexpr uint64_t kInstructionWarmup = 20000;

// A reader that only exists so the SDK aggregates (as a manual reader).
class ManualReader : public metrics_sdk::MetricReader {
 public:
  metrics_sdk::AggregationTemporality GetAggregationTemporality(
      metrics_sdk::InstrumentType) const noexcept override {
    return metrics_sdk::AggregationTemporality::kCumulative;
  }
  bool OnForceFlush(std::chrono::microseconds) noexcept override { return true; }
  bool OnShutDown(std::chrono::microseconds) noexcept override { return true; }
};

using Call = std::function<void(uint64_t)>;

// The only code callgrind counts in --run-one mode (by this name).
extern "C" __attribute__((noinline)) void otelmetrics_bench_measured(Call &f, uint64_t calls) {
  for (uint64_t i = 0; i < calls; i++) f(i);
}

// The same loop under another name: warm-up and wall-clock rounds.
__attribute__((noinline)) void run_calls(Call &f, uint64_t calls) {
  for (uint64_t i = 0; i < calls; i++) f(i);
}

// This thread's CPU time in ns: unlike the wall clock, it does not count
// the time other processes had the core.
double thread_cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

// min, median, max ns per call over kRounds rounds, by the wall clock and
// by the thread's CPU time.
void print_spread(const char *name, Call f) {
  run_calls(f, kIterations / 10);
  std::vector<double> wall, cpu;
  for (int r = 0; r < kRounds; r++) {
    auto start = std::chrono::steady_clock::now();
    double cpu_start = thread_cpu_ns();
    run_calls(f, kIterations);
    std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
    wall.push_back(took.count() / kIterations);
    cpu.push_back((thread_cpu_ns() - cpu_start) / kIterations);
  }
  for (auto *v : {&wall, &cpu}) std::sort(v->begin(), v->end());
  std::printf("%s wall %.1f %.1f %.1f cpu %.1f %.1f %.1f\n", name, wall.front(), wall[kRounds / 2], wall.back(),
              cpu.front(), cpu[kRounds / 2], cpu.back());
}

// Throughput of 2 threads over 1 (best of 3 each), each thread on its own series.
template <typename F>
double scaling(F f) {
  auto run = [&](int threads) {
    double best = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
      auto start = std::chrono::steady_clock::now();
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; t++)
        pool.emplace_back([&, t] {
          for (uint64_t i = 0; i < kIterations; i++) f(t, i);
        });
      for (auto &th : pool) th.join();
      std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
      best = std::max(best, threads * kIterations / took.count());
    }
    return best;
  };
  double one = run(1);
  return run(2) / one;
}

int main(int argc, char **argv) {
  auto provider = metrics_sdk::MeterProviderFactory::Create();
  auto *sdk = static_cast<metrics_sdk::MeterProvider *>(provider.get());
  sdk->AddMetricReader(std::make_shared<ManualReader>());
  auto meter = provider->GetMeter("bench", "1.0");
  auto counter = meter->CreateUInt64Counter("requests");
  auto histogram = meter->CreateDoubleHistogram("latency");

  Call add = [&](uint64_t) {
    counter->Add(1, {{"method", "GET"}, {"route", "/api/v1/users"}, {"status", 200}});
  };
  Call record = [&](uint64_t i) {
    histogram->Record(static_cast<double>(i % 1000),
                      {{"method", "GET"}, {"route", "/api/v1/users"}, {"status", 200}},
                      opentelemetry::context::Context{});
  };
  Call empty = [](uint64_t i) { asm volatile("" : : "r"(i)); };

  if (argc == 3 && std::strcmp(argv[1], "--run-one") == 0) {
    Call &f = std::strcmp(argv[2], "counter_add_3_attrs") == 0         ? add
              : std::strcmp(argv[2], "histogram_record_3_attrs") == 0 ? record
                                                                       : empty;
    run_calls(f, kInstructionWarmup);
    otelmetrics_bench_measured(f, kInstructionCalls);
    return 0;
  }

  print_spread("counter_add_3_attrs_ns", add);
  print_spread("histogram_record_3_attrs_ns", record);
  auto threaded = meter->CreateUInt64Counter("threaded");
  const char *routes[] = {"/t0", "/t1"};
  double ratio = scaling([&](int t, uint64_t) {
    threaded->Add(1, {{"method", "GET"}, {"route", routes[t]}, {"status", 200}});
  });
  std::printf("two_thread_scaling %.2f\n", ratio);
  return 0;
}
