/*
 * fork() without exec: the parent records 5 before forking; the child
 * records 7 and shuts down; the parent records 1 more and shuts down. Each
 * process exports its own data from its own new threads: the child 7 (not
 * the parent's 5 again), the parent 6. A bound counter, recorded through
 * in the parent before the fork (so its fast path is armed there), gets the
 * same 5 / 7 / 1 and must be exported the same way: the child's first bound
 * record rebinds in the child's SDK. An observable gauge reports the pid
 * of the process whose callback runs. Both append OTLP-JSON lines to the
 * file named by argv[1].
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "otelmetrics.h"

static void report_pid(otelmetrics_observer *observer, void *user_data) {
  (void)user_data;
  otelmetrics_observer_observe_i64(observer, (int64_t)getpid(), NULL, 0);
}

#define TRY(call)                                                                \
  do {                                                                           \
    otelmetrics_status s_ = (call);                                              \
    if (s_) {                                                                    \
      fprintf(stderr, "%s: %s\n", #call, otelmetrics_last_error_message(NULL)); \
      return 1;                                                                  \
    }                                                                            \
  } while (0)

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  otelmetrics_provider_builder *b = NULL;
  otelmetrics_provider *p = NULL;
  otelmetrics_meter *m = NULL;
  otelmetrics_counter_u64 *c = NULL;
  otelmetrics_counter_u64 *bc = NULL;
  otelmetrics_attributes *set = NULL;
  otelmetrics_bound_counter_u64 *bound = NULL;
  otelmetrics_observable_gauge_i64 *g = NULL;
  if (strcmp(argv[1], "--from-env") == 0) {
    TRY(otelmetrics_provider_new_from_env(&p));
  } else {
    TRY(otelmetrics_provider_builder_new(&b));
    TRY(otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_CONSOLE));
    TRY(otelmetrics_provider_builder_set_console_format(b, OTELMETRICS_CONSOLE_FORMAT_JSON));
    TRY(otelmetrics_provider_builder_set_console_path(b, otelmetrics_str_from_cstr(argv[1])));
    TRY(otelmetrics_provider_builder_set_export_interval_ms(b, 3600 * 1000));
    TRY(otelmetrics_provider_builder_build(b, &p));
    otelmetrics_provider_builder_free(b);
  }
  TRY(otelmetrics_provider_get_meter(p, OTELMETRICS_STR("fork"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), NULL, 0, &m));
  TRY(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("work"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), &c));
  TRY(otelmetrics_meter_create_observable_gauge_i64(m, OTELMETRICS_STR("pid"), OTELMETRICS_STR(""), OTELMETRICS_STR(""),
                                                    report_pid, NULL, NULL, &g));
  otelmetrics_attribute attr = otelmetrics_attr_string("role", "any");
  TRY(otelmetrics_counter_u64_add(c, 5, &attr, 1));
  TRY(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("bound_work"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), &bc));
  TRY(otelmetrics_attributes_new(&attr, 1, &set));
  TRY(otelmetrics_counter_u64_bind(bc, set, &bound));
  TRY(otelmetrics_bound_counter_u64_add(bound, 2));
  TRY(otelmetrics_bound_counter_u64_add(bound, 3));

  pid_t child = fork();
  if (child < 0) return 1;
  if (child == 0) {
    TRY(otelmetrics_counter_u64_add(c, 7, &attr, 1));
    TRY(otelmetrics_bound_counter_u64_add(bound, 7));
    TRY(otelmetrics_provider_shutdown(p, 5000));
    _exit(0);
  }
  int status = 0;
  if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "child failed\n");
    return 1;
  }
  TRY(otelmetrics_counter_u64_add(c, 1, &attr, 1));
  TRY(otelmetrics_bound_counter_u64_add(bound, 1));
  TRY(otelmetrics_provider_shutdown(p, 5000));
  if (otelmetrics_bound_counter_u64_add(bound, 1) != OTELMETRICS_STATUS_SHUTDOWN) {
    fprintf(stderr, "a bound record after shutdown did not report SHUTDOWN\n");
    return 1;
  }
  printf("%d %d\n", (int)getpid(), (int)child);
  otelmetrics_observable_gauge_i64_free(g);
  otelmetrics_bound_counter_u64_free(bound);
  otelmetrics_attributes_free(set);
  otelmetrics_counter_u64_free(bc);
  otelmetrics_counter_u64_free(c);
  otelmetrics_meter_free(m);
  otelmetrics_provider_free(p);
  return 0;
}
