/*
 * One export larger than one OTLP request may be: records N counter series
 * (value i % 7 + 1 for series i, attributes series/route/shard) and N / 10
 * histogram series, then shuts down, which exports everything at once.
 * Configured from the environment like a deployment (OTEL_* and
 * OTELMETRICS_OTLP_MAX_REQUEST_BYTES); the cardinality limit is raised to
 * hold every series.
 *
 *   many_series N [huge]
 *
 * `huge` adds one counter series whose attribute value is 8000 bytes long:
 * too large for a small request limit even alone.
 *
 * Prints "shutdown <STATUS>"; diagnostics go to stderr. Exits 0 when the
 * shutdown status is OK.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otelmetrics.h"
#include "producer_common.h"

static void print_diagnostic(otelmetrics_log_level level, otelmetrics_str message, void *user_data) {
  (void)user_data;
  fprintf(stderr, "diag %u %.*s\n", level, (int)message.len, message.ptr);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: many_series N [huge]\n");
    return 2;
  }
  size_t n = strtoul(argv[1], NULL, 10);
  int huge = argc > 2 && strcmp(argv[2], "huge") == 0;
  TRY(otelmetrics_set_diagnostic_hook(print_diagnostic, NULL));

  otelmetrics_provider_builder *b = NULL;
  otelmetrics_provider *provider = NULL;
  TRY(otelmetrics_provider_builder_new(&b));
  TRY(otelmetrics_provider_builder_set_cardinality_limit(b, n + 10));
  TRY(otelmetrics_provider_builder_build(b, &provider));
  otelmetrics_provider_builder_free(b);

  otelmetrics_meter *meter = NULL;
  otelmetrics_counter_u64 *requests = NULL;
  otelmetrics_histogram_f64 *latency = NULL;
  TRY(otelmetrics_provider_get_meter(provider, OTELMETRICS_STR("e2e.split"), OTELMETRICS_STR("1.0"),
                                     OTELMETRICS_STR(""), NULL, 0, &meter));
  TRY(otelmetrics_meter_create_counter_u64(meter, OTELMETRICS_STR("split.requests"),
                                           OTELMETRICS_STR("requests per series"), OTELMETRICS_STR("1"), &requests));
  TRY(otelmetrics_meter_create_histogram_f64(meter, OTELMETRICS_STR("split.latency"), OTELMETRICS_STR(""),
                                             OTELMETRICS_STR("s"), NULL, 0, &latency));

  char series[32];
  for (size_t i = 0; i < n; i++) {
    snprintf(series, sizeof series, "s%06zu", i);
    otelmetrics_attribute attrs[] = {otelmetrics_attr_string("series", series),
                                     otelmetrics_attr_string("route", "/checkout"),
                                     otelmetrics_attr_int64("shard", (int64_t)(i % 16))};
    TRY(otelmetrics_counter_u64_add(requests, i % 7 + 1, attrs, 3));
    if (i % 10 == 0) TRY(otelmetrics_histogram_f64_record(latency, (double)i * 0.5, attrs, 1));
  }
  if (huge) {
    static char blob[8001];
    memset(blob, 'x', 8000);
    otelmetrics_attribute big[] = {otelmetrics_attr_string("series", "huge"), otelmetrics_attr_string("blob", blob)};
    TRY(otelmetrics_counter_u64_add(requests, 1, big, 2));
  }

  otelmetrics_status s = otelmetrics_provider_shutdown(provider, 30000);
  printf("shutdown %s\n", otelmetrics_status_name(s));
  fflush(stdout);
  otelmetrics_counter_u64_free(requests);
  otelmetrics_histogram_f64_free(latency);
  otelmetrics_meter_free(meter);
  otelmetrics_provider_free(provider);
  return s == OTELMETRICS_STATUS_OK ? 0 : 1;
}
