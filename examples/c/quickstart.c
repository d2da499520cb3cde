/*
 * Quick start: the fruit counter of the OpenTelemetry.jl tutorial, in C.
 *
 * Configured from the environment (OTEL_EXPORTER_OTLP_ENDPOINT,
 * OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_METRICS_EXPORTER, ...). With nothing
 * configured it prints what it would send, so it runs anywhere:
 *
 *   cargo build --release
 *   cc examples/c/quickstart.c -Iinclude -Ltarget/release -lotelmetrics \
 *      -Wl,-rpath,"$PWD/target/release" -o quickstart && ./quickstart
 *
 * Point it at a collector:
 *   OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 ./quickstart
 */
#include <stdio.h>
#include <stdlib.h>

#include "otelmetrics.h"

/* Prints the library's explanation and exits when a call fails. */
static void check(otelmetrics_status status, const char *what) {
  if (status != OTELMETRICS_STATUS_OK) {
    fprintf(stderr, "%s failed: %s\n", what, otelmetrics_last_error_message(NULL));
    exit(1);
  }
}

static int configured_from_env(void) {
  return getenv("OTEL_METRICS_EXPORTER") || getenv("OTEL_EXPORTER_OTLP_ENDPOINT") ||
         getenv("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
}

int main(void) {
  otelmetrics_provider_builder *builder = NULL;
  check(otelmetrics_provider_builder_new(&builder), "builder");
  if (!getenv("OTEL_SERVICE_NAME")) {
    check(otelmetrics_provider_builder_set_service_name(builder, OTELMETRICS_STR("quickstart")), "service name");
  }
  if (!configured_from_env()) {
    /* Nothing configured: show what would be sent instead of failing. */
    check(otelmetrics_provider_builder_add_exporter(builder, OTELMETRICS_EXPORTER_CONSOLE), "console exporter");
    puts("No collector configured (OTEL_EXPORTER_OTLP_ENDPOINT): printing what would be sent.");
    fflush(stdout);
  }

  otelmetrics_provider *provider = NULL;
  check(otelmetrics_provider_builder_build(builder, &provider), "build");
  otelmetrics_provider_builder_free(builder);

  otelmetrics_meter *meter = NULL;
  check(otelmetrics_provider_get_meter(provider, OTELMETRICS_STR("quickstart"), OTELMETRICS_STR("0.1.0"),
                                       OTELMETRICS_STR(""), NULL, 0, &meter),
        "meter");

  otelmetrics_counter_u64 *fruits = NULL;
  check(otelmetrics_meter_create_counter_u64(meter, OTELMETRICS_STR("fruit_counter"),
                                             OTELMETRICS_STR("Counts the fruits sold"), OTELMETRICS_STR("{fruit}"),
                                             &fruits),
        "counter");

  otelmetrics_attribute red_apple[] = {otelmetrics_attr_string("name", "apple"),
                                       otelmetrics_attr_string("color", "red")};
  otelmetrics_attribute yellow_lemon[] = {otelmetrics_attr_string("name", "lemon"),
                                          otelmetrics_attr_string("color", "yellow")};
  check(otelmetrics_counter_u64_add(fruits, 1, red_apple, 2), "add");
  check(otelmetrics_counter_u64_add(fruits, 2, yellow_lemon, 2), "add");
  check(otelmetrics_counter_u64_add(fruits, 1, yellow_lemon, 2), "add");
  check(otelmetrics_counter_u64_add(fruits, 2, red_apple, 2), "add");
  check(otelmetrics_counter_u64_add(fruits, 5, yellow_lemon, 2), "add");
  check(otelmetrics_counter_u64_add(fruits, 4, yellow_lemon, 2), "add");

  /* Shutdown exports what is left; it returns within 5 s whatever happens. */
  otelmetrics_status s = otelmetrics_provider_shutdown(provider, 5000);
  if (s != OTELMETRICS_STATUS_OK) {
    fprintf(stderr, "shutdown: %s: %s\n", otelmetrics_status_name(s), otelmetrics_last_error_message(NULL));
  }
  otelmetrics_counter_u64_free(fruits);
  otelmetrics_meter_free(meter);
  otelmetrics_provider_free(provider);
  return s == OTELMETRICS_STATUS_OK ? 0 : 1;
}
