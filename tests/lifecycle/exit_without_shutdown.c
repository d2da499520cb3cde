/*
 * Records, then leaves main without shutting the provider down (or frees it
 * without shutting it down, with "free" as argv[1]). The library must still
 * export the last data at exit. The console exporter writes OTLP-JSON lines
 * to the file named by argv[2]; the export interval is an hour, so only the
 * exit-time export can produce a line.
 */
#include <stdio.h>
#include <string.h>

#include "otelmetrics.h"

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  otelmetrics_provider_builder *b = NULL;
  otelmetrics_provider *p = NULL;
  otelmetrics_meter *m = NULL;
  otelmetrics_counter_u64 *c = NULL;
  if (otelmetrics_provider_builder_new(&b) ||
      otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_CONSOLE) ||
      otelmetrics_provider_builder_set_console_format(b, OTELMETRICS_CONSOLE_FORMAT_JSON) ||
      otelmetrics_provider_builder_set_console_path(b, otelmetrics_str_from_cstr(argv[2])) ||
      otelmetrics_provider_builder_set_export_interval_ms(b, 3600 * 1000) ||
      otelmetrics_provider_builder_set_export_timeout_ms(b, 2000) ||
      otelmetrics_provider_builder_build(b, &p) ||
      otelmetrics_provider_get_meter(p, OTELMETRICS_STR("exit"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), NULL, 0, &m) ||
      otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("last_words"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), &c)) {
    fprintf(stderr, "setup failed: %s\n", otelmetrics_last_error_message(NULL));
    return 1;
  }
  otelmetrics_provider_builder_free(b);
  if (otelmetrics_counter_u64_add(c, 42, NULL, 0)) return 1;
  if (strcmp(argv[1], "free") == 0) {
    otelmetrics_counter_u64_free(c);
    otelmetrics_meter_free(m);
    otelmetrics_provider_free(p);
  }
  return 0;
}
