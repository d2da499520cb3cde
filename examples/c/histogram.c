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

#include "otelmetrics.h"

static void check(otelmetrics_status status, const char *what) {
  if (status != OTELMETRICS_STATUS_OK) {
    fprintf(stderr, "%s failed: %s\n", what, otelmetrics_last_error_message(NULL));
    exit(1);
  }
}

int main(void) {
  otelmetrics_provider_builder *b = NULL;
  check(otelmetrics_provider_builder_new(&b), "builder");
  check(otelmetrics_provider_builder_set_service_name(b, OTELMETRICS_STR("histogram-example")), "service name");
  if (!getenv("OTEL_METRICS_EXPORTER") && !getenv("OTEL_EXPORTER_OTLP_ENDPOINT")) {
    check(otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_CONSOLE), "console exporter");
  }
  otelmetrics_provider *provider = NULL;
  check(otelmetrics_provider_builder_build(b, &provider), "build");
  otelmetrics_provider_builder_free(b);
  otelmetrics_meter *meter = NULL;
  check(otelmetrics_provider_get_meter(provider, OTELMETRICS_STR("shop.web"), OTELMETRICS_STR("1.0.0"),
                                       OTELMETRICS_STR(""), NULL, 0, &meter),
        "meter");

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
