// The OpenTelemetry C++ SDK (Debian's opentelemetry-cpp 1.19) doing the same
// work as benches/hot_path.rs: a counter add and a histogram record with 3
// attributes (two strings and an int), then the counter from 2 threads on
// distinct series. The C++ SDK has no bound instruments; its idiomatic
// per-call path is an initializer list of key/value pairs. A manual reader
// (never collected during the measurement) keeps the pipeline the same as
// the Rust side's. Prints one line per figure: "<name> <ns per call>" or
// "<name> <ratio>". Build and run: benches/cpp/run.sh
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "opentelemetry/metrics/provider.h"
#include "opentelemetry/sdk/metrics/meter_provider.h"
#include "opentelemetry/sdk/metrics/meter_provider_factory.h"
#include "opentelemetry/sdk/metrics/metric_reader.h"

namespace metrics_sdk = opentelemetry::sdk::metrics;
namespace metrics_api = opentelemetry::metrics;

constexpr uint64_t kIterations = 2000000;
constexpr int kRounds = 7;

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

template <typename F>
double median_ns(F f) {
  for (uint64_t i = 0; i < kIterations / 10; i++) f(i);
  std::vector<double> rounds;
  for (int r = 0; r < kRounds; r++) {
    auto start = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < kIterations; i++) f(i);
    std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
    rounds.push_back(took.count() / kIterations);
  }
  std::sort(rounds.begin(), rounds.end());
  return rounds[kRounds / 2];
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

int main() {
  auto provider = metrics_sdk::MeterProviderFactory::Create();
  auto *sdk = static_cast<metrics_sdk::MeterProvider *>(provider.get());
  sdk->AddMetricReader(std::make_shared<ManualReader>());
  auto meter = provider->GetMeter("bench", "1.0");
  auto counter = meter->CreateUInt64Counter("requests");
  auto histogram = meter->CreateDoubleHistogram("latency");

  double add = median_ns([&](uint64_t) {
    counter->Add(1, {{"method", "GET"}, {"route", "/api/v1/users"}, {"status", 200}});
  });
  std::printf("counter_add_3_attrs_ns %.1f\n", add);
  double record = median_ns([&](uint64_t i) {
    histogram->Record(static_cast<double>(i % 100),
                      {{"method", "GET"}, {"route", "/api/v1/users"}, {"status", 200}},
                      opentelemetry::context::Context{});
  });
  std::printf("histogram_record_3_attrs_ns %.1f\n", record);
  auto threaded = meter->CreateUInt64Counter("threaded");
  const char *routes[] = {"/t0", "/t1"};
  double ratio = scaling([&](int t, uint64_t) {
    threaded->Add(1, {{"method", "GET"}, {"route", routes[t]}, {"status", 200}});
  });
  std::printf("two_thread_scaling %.2f\n", ratio);
  return 0;
}
