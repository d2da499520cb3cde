/*
 * An observable callback whose thread is ended under it (pthread_exit, as
 * CPython does at interpreter exit to a thread coming back into a
 * finalised interpreter). That must end that thread only: the collection
 * goes on without the callback's observations, the next collection calls
 * the callback again, and the process exits normally. The console
 * exporter writes OTLP-JSON lines to the file named by argv[1].
 */
#include <pthread.h>
#include <stdio.h>

#include "otelmetrics.h"

static int calls = 0;

static void observe(otelmetrics_observer *observer, void *user_data) {
  (void)user_data;
  if (++calls == 1) pthread_exit(NULL); /* the first call never returns */
  otelmetrics_observer_observe_i64(observer, calls, NULL, 0);
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  otelmetrics_provider_builder *b = NULL;
  otelmetrics_provider *p = NULL;
  otelmetrics_meter *m = NULL;
  otelmetrics_counter_u64 *c = NULL;
  otelmetrics_observable_gauge_i64 *g = NULL;
  if (otelmetrics_provider_builder_new(&b) ||
      otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_CONSOLE) ||
      otelmetrics_provider_builder_set_console_format(b, OTELMETRICS_CONSOLE_FORMAT_JSON) ||
      otelmetrics_provider_builder_set_console_path(b, otelmetrics_str_from_cstr(argv[1])) ||
      otelmetrics_provider_builder_set_export_interval_ms(b, 3600 * 1000) ||
      otelmetrics_provider_builder_build(b, &p) ||
      otelmetrics_provider_get_meter(p, OTELMETRICS_STR("ended"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), NULL, 0, &m) ||
      otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("beside"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), &c) ||
      otelmetrics_meter_create_observable_gauge_i64(m, OTELMETRICS_STR("calls"), OTELMETRICS_STR(""), OTELMETRICS_STR(""),
                                                    observe, NULL, NULL, &g)) {
    fprintf(stderr, "setup failed: %s\n", otelmetrics_last_error_message(NULL));
    return 1;
  }
  otelmetrics_provider_builder_free(b);
  if (otelmetrics_counter_u64_add(c, 5, NULL, 0)) return 1;
  /* first collection: the callback's thread ends under it */
  if (otelmetrics_provider_force_flush(p, 10000)) {
    fprintf(stderr, "first flush: %s\n", otelmetrics_last_error_message(NULL));
    return 1;
  }
  /* second collection: the callback runs again, on a new thread */
  if (otelmetrics_provider_force_flush(p, 10000)) {
    fprintf(stderr, "second flush: %s\n", otelmetrics_last_error_message(NULL));
    return 1;
  }
  otelmetrics_observable_gauge_i64_free(g);
  otelmetrics_counter_u64_free(c);
  if (otelmetrics_provider_shutdown(p, 10000)) return 1;
  otelmetrics_meter_free(m);
  otelmetrics_provider_free(p);
  printf("calls %d\n", calls);
  return 0;
}
