/*
 * An observable gauge: the room temperature of the OpenTelemetry.jl
 * tutorial, read by a callback each time metrics are collected. The callback
 * reports one measurement per room, each with its own attributes, and its
 * user data is released by a destructor when the gauge is freed.
 *
 *   cc examples/c/observable_gauge.c -Iinclude -Ltarget/release -lotelmetrics \
 *      -Wl,-rpath,"$PWD/target/release" -o observable_gauge && ./observable_gauge
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

/* What the callback reads: a stand-in for real sensors. */
typedef struct {
  const char *room;
  double celsius;
} sensor;

typedef struct {
  sensor sensors[3];
  int reads;
} thermostat;

/* Runs on the library's export thread (or the thread reading the snapshot),
 * once per collection. It may observe and record; it must not create
 * instruments, flush or shut down (those return REENTRANT_CALL here). */
static void read_temperatures(otelmetrics_observer *observer, void *user_data) {
  thermostat *t = user_data;
  t->reads++;
  for (int i = 0; i < 3; i++) {
    otelmetrics_attribute room = otelmetrics_attr_string("room", t->sensors[i].room);
    otelmetrics_observer_observe_f64(observer, t->sensors[i].celsius + 0.1 * t->reads, &room, 1);
  }
}

static void release_thermostat(void *user_data) {
  printf("released the thermostat after %d reads\n", ((thermostat *)user_data)->reads);
  free(user_data);
}

int main(void) {
  otelmetrics_provider_builder *b = NULL;
  check(otelmetrics_provider_builder_new(&b), "builder");
  check(otelmetrics_provider_builder_set_service_name(b, OTELMETRICS_STR("thermostat")), "service name");
  if (!getenv("OTEL_METRICS_EXPORTER") && !getenv("OTEL_EXPORTER_OTLP_ENDPOINT")) {
    check(otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_CONSOLE), "console");
  }
  otelmetrics_provider *provider = NULL;
  check(otelmetrics_provider_builder_build(b, &provider), "build");
  otelmetrics_provider_builder_free(b);
  otelmetrics_meter *meter = NULL;
  check(otelmetrics_provider_get_meter(provider, OTELMETRICS_STR("thermostat"), OTELMETRICS_STR("1.0"),
                                       OTELMETRICS_STR(""), NULL, 0, &meter),
        "meter");

  thermostat *t = calloc(1, sizeof *t);
  if (!t) return 1;
  t->sensors[0] = (sensor){"kitchen", 21.0};
  t->sensors[1] = (sensor){"garage", 8.5};
  t->sensors[2] = (sensor){"attic", 27.25};
  otelmetrics_observable_gauge_f64 *gauge = NULL;
  check(otelmetrics_meter_create_observable_gauge_f64(meter, OTELMETRICS_STR("room.temperature"),
                                                      OTELMETRICS_STR("temperature per room"), OTELMETRICS_STR("Cel"),
                                                      read_temperatures, t, release_thermostat, &gauge),
        "observable gauge");

  check(otelmetrics_provider_force_flush(provider, 5000), "flush");
  otelmetrics_observable_gauge_f64_free(gauge); /* unregisters; the destructor runs now */
  otelmetrics_meter_free(meter);
  check(otelmetrics_provider_shutdown(provider, 5000), "shutdown");
  otelmetrics_provider_free(provider);
  return 0;
}
