/*
 * One callback reporting for several instruments: a queue library exposes
 * its depth (an observable up-down counter) and the total it processed (an
 * observable counter) from one consistent read of its state, once per
 * collection. The registration can be unregistered at any time.
 *
 *   cc examples/c/multi_callback.c -Iinclude -Ltarget/release -lotelmetrics \
 *      -Wl,-rpath,"$PWD/target/release" -o multi_callback && ./multi_callback
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

typedef struct {
  const char *name;
  int64_t depth;
  uint64_t processed;
} queue;

typedef struct {
  queue queues[2];
  otelmetrics_observable_up_down_counter_i64 *depth;
  otelmetrics_observable_counter_u64 *processed;
} broker;

static void report_queues(otelmetrics_observer *observer, void *user_data) {
  broker *b = user_data;
  for (int i = 0; i < 2; i++) {
    otelmetrics_attribute q = otelmetrics_attr_string("queue", b->queues[i].name);
    /* The _for functions name the instrument each measurement belongs to. */
    otelmetrics_observer_observe_i64_for(observer, b->depth, b->queues[i].depth, &q, 1);
    otelmetrics_observer_observe_u64_for(observer, b->processed, b->queues[i].processed, &q, 1);
  }
}

int main(void) {
  otelmetrics_provider_builder *pb = NULL;
  check(otelmetrics_provider_builder_new(&pb), "builder");
  if (!getenv("OTEL_METRICS_EXPORTER") && !getenv("OTEL_EXPORTER_OTLP_ENDPOINT")) {
    check(otelmetrics_provider_builder_add_exporter(pb, OTELMETRICS_EXPORTER_CONSOLE), "console");
  }
  otelmetrics_provider *provider = NULL;
  check(otelmetrics_provider_builder_build(pb, &provider), "build");
  otelmetrics_provider_builder_free(pb);
  otelmetrics_meter *meter = NULL;
  check(otelmetrics_provider_get_meter(provider, OTELMETRICS_STR("broker"), OTELMETRICS_STR(""), OTELMETRICS_STR(""),
                                       NULL, 0, &meter),
        "meter");

  broker b = {{{"orders", 12, 3400}, {"emails", 0, 981}}, NULL, NULL};
  /* No callback of their own: the shared registration reports for both. */
  check(otelmetrics_meter_create_observable_up_down_counter_i64(meter, OTELMETRICS_STR("queue.depth"),
                                                                OTELMETRICS_STR("messages waiting"),
                                                                OTELMETRICS_STR("{message}"), NULL, NULL, NULL, &b.depth),
        "depth");
  check(otelmetrics_meter_create_observable_counter_u64(meter, OTELMETRICS_STR("queue.processed"),
                                                        OTELMETRICS_STR("messages processed"), OTELMETRICS_STR("{message}"),
                                                        NULL, NULL, NULL, &b.processed),
        "processed");
  const void *instruments[] = {b.depth, b.processed};
  otelmetrics_callback_registration *registration = NULL;
  check(otelmetrics_meter_register_callback(meter, instruments, 2, report_queues, &b, NULL, &registration), "register");

  check(otelmetrics_provider_force_flush(provider, 5000), "flush");
  check(otelmetrics_callback_registration_unregister(registration), "unregister");
  otelmetrics_callback_registration_free(registration);
  otelmetrics_observable_up_down_counter_i64_free(b.depth);
  otelmetrics_observable_counter_u64_free(b.processed);
  otelmetrics_meter_free(meter);
  check(otelmetrics_provider_shutdown(provider, 5000), "shutdown");
  otelmetrics_provider_free(provider);
  return 0;
}
