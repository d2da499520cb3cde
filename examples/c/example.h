/*
 * The set-up the small examples share, so each of them shows only its
 * point (quickstart.c spells the same set-up out in full):
 * - check(): stop with the library's explanation when a call fails;
 * - example_provider_new(): a meter provider configured from the OTEL_*
 *   environment variables, printing to stdout instead when no exporter or
 *   collector is configured, so every example runs anywhere;
 * - example_meter_new(): a meter for the example's instrumentation scope.
 */
#ifndef OTELMETRICS_EXAMPLE_H
#define OTELMETRICS_EXAMPLE_H

#include <stdio.h>
#include <stdlib.h>

#include "otelmetrics.h"

static inline void check(otelmetrics_status status, const char *what) {
  if (status != OTELMETRICS_STATUS_OK) {
    fprintf(stderr, "%s failed: %s\n", what, otelmetrics_last_error_message(NULL));
    exit(1);
  }
}

/* Whether the environment names an exporter or a collector. */
static inline int example_configured_from_env(void) {
  return getenv("OTEL_METRICS_EXPORTER") || getenv("OTEL_EXPORTER_OTLP_ENDPOINT") ||
         getenv("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
}

/* A provider for `service_name` (OTEL_SERVICE_NAME wins when set). */
static inline otelmetrics_provider *example_provider_new(const char *service_name) {
  otelmetrics_provider_builder *b = NULL;
  otelmetrics_provider *provider = NULL;
  check(otelmetrics_provider_builder_new(&b), "builder");
  if (!getenv("OTEL_SERVICE_NAME")) {
    check(otelmetrics_provider_builder_set_service_name(b, otelmetrics_str_from_cstr(service_name)), "service name");
  }
  if (!example_configured_from_env()) {
    puts("No collector configured (OTEL_EXPORTER_OTLP_ENDPOINT): printing what would be sent.");
    fflush(stdout); /* the console exporter writes to the same stdout */
    check(otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_CONSOLE), "console exporter");
  }
  check(otelmetrics_provider_builder_build(b, &provider), "build");
  otelmetrics_provider_builder_free(b); /* building does not consume it */
  return provider;
}

static inline otelmetrics_meter *example_meter_new(const otelmetrics_provider *provider, const char *scope) {
  otelmetrics_meter *meter = NULL;
  check(otelmetrics_provider_get_meter(provider, otelmetrics_str_from_cstr(scope), OTELMETRICS_STR("1.0.0"),
                                       OTELMETRICS_STR(""), NULL, 0, &meter),
        "meter");
  return meter;
}

#endif
