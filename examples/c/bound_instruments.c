/*
 * Bound instruments: the fastest way to record. When a hot loop records
 * with the same attributes again and again, bind the instrument to those
 * attributes once; each call then only adds the value, with no attribute
 * conversion or series lookup. Every synchronous kind can be bound.
 *
 *   cc -std=c11 -O2 examples/c/bound_instruments.c -Iinclude -Ltarget/release -lotelmetrics \
 *      -Wl,-rpath,"$PWD/target/release" -o bound_instruments && ./bound_instruments [ITERATIONS]
 *
 * It prints what it recorded and, for information, the time per call.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "example.h" /* check(), example_provider_new(), example_meter_new() */

static double seconds_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  long iterations = argc > 1 ? atol(argv[1]) : 1000000;
  if (iterations <= 0) iterations = 1;
  otelmetrics_provider *provider = example_provider_new("bound-example");
  otelmetrics_meter *meter = example_meter_new(provider, "packet.router");
  otelmetrics_counter_u64 *packets = NULL;
  otelmetrics_histogram_u64 *sizes = NULL;
  static const double size_buckets[] = {64, 256, 1024, 1500};
  check(otelmetrics_meter_create_counter_u64(meter, OTELMETRICS_STR("router.packets"), OTELMETRICS_STR("Packets routed"),
                                             OTELMETRICS_STR("{packet}"), &packets),
        "counter");
  check(otelmetrics_meter_create_histogram_u64(meter, OTELMETRICS_STR("router.packet.size"),
                                               OTELMETRICS_STR("Packet sizes"), OTELMETRICS_STR("By"), size_buckets, 4,
                                               &sizes),
        "histogram");

  /* Bind once, outside the loop. The set may be freed right after binding. */
  otelmetrics_attribute eth0[] = {otelmetrics_attr_string("interface", "eth0"),
                                  otelmetrics_attr_string("direction", "in")};
  otelmetrics_attributes *set = NULL;
  otelmetrics_bound_counter_u64 *eth0_packets = NULL;
  otelmetrics_bound_histogram_u64 *eth0_sizes = NULL;
  check(otelmetrics_attributes_new(eth0, 2, &set), "attribute set");
  check(otelmetrics_counter_u64_bind(packets, set, &eth0_packets), "bind counter");
  check(otelmetrics_histogram_u64_bind(sizes, set, &eth0_sizes), "bind histogram");
  otelmetrics_attributes_free(set);

  double start = seconds_now();
  for (long i = 0; i < iterations; i++) {
    /* Statuses are worth checking even here: they are cheap, and a
     * refused value (or a provider shut down elsewhere) shows at once. */
    otelmetrics_status s = otelmetrics_bound_counter_u64_add(eth0_packets, 1);
    if (s == OTELMETRICS_STATUS_OK) s = otelmetrics_bound_histogram_u64_record(eth0_sizes, (uint64_t)(64 + i % 1400));
    if (s != OTELMETRICS_STATUS_OK) check(s, "record");
  }
  double elapsed = seconds_now() - start;
  printf("recorded %ld packets; %.1f ns per bound call\n", iterations, elapsed * 1e9 / (2.0 * (double)iterations));
  fflush(stdout); /* the console exporter writes to stdout too */

  check(otelmetrics_provider_shutdown(provider, 5000), "shutdown");
  /* Bound handles are independent of their instrument: free in any order. */
  otelmetrics_bound_counter_u64_free(eth0_packets);
  otelmetrics_bound_histogram_u64_free(eth0_sizes);
  otelmetrics_counter_u64_free(packets);
  otelmetrics_histogram_u64_free(sizes);
  otelmetrics_meter_free(meter);
  otelmetrics_provider_free(provider);
  return 0;
}
