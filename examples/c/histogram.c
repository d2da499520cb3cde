/*
 * Histograms: distributions of measurements. Request durations in seconds
 * with advisory bucket boundaries that suit this service (instead of the
 * SDK's defaults, made for milliseconds), and response sizes in bytes.
 *
 * With no collector configured it prints what it would send:
 *
 *   cc -std=c11 examples/c/histogram.c -Iinclude -Ltarget/release -lotelmetrics \
 *      -Wl,-rpath,"$PWD/target/release" -o histogram && ./histogram
 */
#include <stdio.h>
#include <stdlib.h>

#include "example.h" /* check(), example_provider_new(), example_meter_new() */

int main(void) {
  otelmetrics_provider *provider = example_provider_new("histogram-example");
  otelmetrics_meter *meter = example_meter_new(provider, "shop.web");

  /* Advisory boundaries: finite, strictly increasing, copied by the call.
   * A view configured by the application would still win over them. */
  static const double seconds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0};
  static const double bytes[] = {100, 1000, 10000, 100000};
  otelmetrics_histogram_f64 *duration = NULL;
  otelmetrics_histogram_u64 *size = NULL;
  check(otelmetrics_meter_create_histogram_f64(meter, OTELMETRICS_STR("http.server.request.duration"),
                                               OTELMETRICS_STR("Time to answer a request"), OTELMETRICS_STR("s"),
                                               seconds, sizeof seconds / sizeof seconds[0], &duration),
        "duration histogram");
  check(otelmetrics_meter_create_histogram_u64(meter, OTELMETRICS_STR("http.server.response.body.size"),
                                               OTELMETRICS_STR("Size of response bodies"), OTELMETRICS_STR("By"),
                                               bytes, sizeof bytes / sizeof bytes[0], &size),
        "size histogram");

  otelmetrics_attribute route = otelmetrics_attr_string("http.route", "/products");
  static const double observed[] = {0.004, 0.012, 0.012, 0.03, 0.2, 0.7};
  for (size_t i = 0; i < sizeof observed / sizeof observed[0]; i++) {
    check(otelmetrics_histogram_f64_record(duration, observed[i], &route, 1), "record");
  }
  check(otelmetrics_histogram_u64_record(size, 512, &route, 1), "record");
  check(otelmetrics_histogram_u64_record(size, 20480, &route, 1), "record");

  check(otelmetrics_provider_shutdown(provider, 5000), "shutdown");
  otelmetrics_histogram_f64_free(duration);
  otelmetrics_histogram_u64_free(size);
  otelmetrics_meter_free(meter);
  otelmetrics_provider_free(provider);
  return 0;
}
