/*
 * Enabled and the meter configurator, from C, against a real collector.
 * The OTLP endpoint and protocol come from the environment. Meter
 * "noisy.keep" is enabled by the first rule, every other "noisy.*" meter
 * disabled by the second; a view drops "dropped.*". For each of the nine
 * synchronous kinds the program creates "kept.<kind>" (meter "app",
 * enabled), "noisy.<kind>" (meter "noisy.lib", disabled) and
 * "dropped.<kind>" (meter "app", dropped by the view), checks each one's
 * `_enabled`, records on all of them (plain and bound), flushes and shuts
 * down; after shutdown every `_enabled` is false, and so is NULL's.
 * Prints "enabled ok" when every check held; the test then checks that the
 * collector received the kept instruments and nothing else.
 */
#include <stdbool.h>
#include <string.h>

#include "producer_common.h"

#define S(text) ((otelmetrics_str){(text), sizeof(text) - 1})

#define EXPECT(cond)                                                     \
  do {                                                                   \
    if (!(cond)) {                                                       \
      fprintf(stderr, "%s:%d: EXPECT(%s) failed\n", __FILE__, __LINE__, #cond); \
      exit(1);                                                           \
    }                                                                    \
  } while (0)

/* One instrument of each kind on one meter, named "<prefix>.<kind>". */
typedef struct {
  otelmetrics_counter_u64 *counter_u64;
  otelmetrics_counter_f64 *counter_f64;
  otelmetrics_up_down_counter_i64 *up_down_counter_i64;
  otelmetrics_up_down_counter_f64 *up_down_counter_f64;
  otelmetrics_histogram_u64 *histogram_u64;
  otelmetrics_histogram_f64 *histogram_f64;
  otelmetrics_gauge_u64 *gauge_u64;
  otelmetrics_gauge_i64 *gauge_i64;
  otelmetrics_gauge_f64 *gauge_f64;
} family;

static otelmetrics_str named(char *buf, size_t size, const char *prefix, const char *kind) {
  int n = snprintf(buf, size, "%s.%s", prefix, kind);
  return (otelmetrics_str){buf, (size_t)n};
}

static family create_family(const otelmetrics_meter *m, const char *prefix) {
  family f;
  char b[64];
  otelmetrics_str none = {NULL, 0};
#define CREATE(kind) TRY(otelmetrics_meter_create_##kind(m, named(b, sizeof b, prefix, #kind), none, none, &f.kind))
#define CREATE_H(kind) \
  TRY(otelmetrics_meter_create_##kind(m, named(b, sizeof b, prefix, #kind), none, none, NULL, 0, &f.kind))
  CREATE(counter_u64);
  CREATE(counter_f64);
  CREATE(up_down_counter_i64);
  CREATE(up_down_counter_f64);
  CREATE_H(histogram_u64);
  CREATE_H(histogram_f64);
  CREATE(gauge_u64);
  CREATE(gauge_i64);
  CREATE(gauge_f64);
  return f;
}

/* Every instrument of the family reports `expected`. */
static void expect_enabled(const family *f, bool expected) {
  EXPECT(otelmetrics_counter_u64_enabled(f->counter_u64) == expected);
  EXPECT(otelmetrics_counter_f64_enabled(f->counter_f64) == expected);
  EXPECT(otelmetrics_up_down_counter_i64_enabled(f->up_down_counter_i64) == expected);
  EXPECT(otelmetrics_up_down_counter_f64_enabled(f->up_down_counter_f64) == expected);
  EXPECT(otelmetrics_histogram_u64_enabled(f->histogram_u64) == expected);
  EXPECT(otelmetrics_histogram_f64_enabled(f->histogram_f64) == expected);
  EXPECT(otelmetrics_gauge_u64_enabled(f->gauge_u64) == expected);
  EXPECT(otelmetrics_gauge_i64_enabled(f->gauge_i64) == expected);
  EXPECT(otelmetrics_gauge_f64_enabled(f->gauge_f64) == expected);
}

/* Records on every instrument; recording on a disabled one still succeeds. */
static void record_family(const family *f) {
  otelmetrics_attribute a = otelmetrics_attr_string("k", "v");
  TRY(otelmetrics_counter_u64_add(f->counter_u64, 3, &a, 1));
  TRY(otelmetrics_counter_f64_add(f->counter_f64, 1.5, &a, 1));
  TRY(otelmetrics_up_down_counter_i64_add(f->up_down_counter_i64, -2, &a, 1));
  TRY(otelmetrics_up_down_counter_f64_add(f->up_down_counter_f64, 2.5, &a, 1));
  TRY(otelmetrics_histogram_u64_record(f->histogram_u64, 7, &a, 1));
  TRY(otelmetrics_histogram_f64_record(f->histogram_f64, 0.25, &a, 1));
  TRY(otelmetrics_gauge_u64_record(f->gauge_u64, 9, &a, 1));
  TRY(otelmetrics_gauge_i64_record(f->gauge_i64, -9, &a, 1));
  TRY(otelmetrics_gauge_f64_record(f->gauge_f64, 4.5, &a, 1));
  otelmetrics_bound_counter_u64 *bound = NULL;
  TRY(otelmetrics_counter_u64_bind(f->counter_u64, NULL, &bound));
  TRY(otelmetrics_bound_counter_u64_add(bound, 4));
  otelmetrics_bound_counter_u64_free(bound);
}

static void free_family(family *f) {
  otelmetrics_counter_u64_free(f->counter_u64);
  otelmetrics_counter_f64_free(f->counter_f64);
  otelmetrics_up_down_counter_i64_free(f->up_down_counter_i64);
  otelmetrics_up_down_counter_f64_free(f->up_down_counter_f64);
  otelmetrics_histogram_u64_free(f->histogram_u64);
  otelmetrics_histogram_f64_free(f->histogram_f64);
  otelmetrics_gauge_u64_free(f->gauge_u64);
  otelmetrics_gauge_i64_free(f->gauge_i64);
  otelmetrics_gauge_f64_free(f->gauge_f64);
}

static otelmetrics_meter *meter(const otelmetrics_provider *p, otelmetrics_str name) {
  otelmetrics_meter *m = NULL;
  otelmetrics_str none = {NULL, 0};
  TRY(otelmetrics_provider_get_meter(p, name, none, none, NULL, 0, &m));
  return m;
}

int main(void) {
  otelmetrics_provider_builder *b = NULL;
  TRY(otelmetrics_provider_builder_new(&b));
  TRY(otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_OTLP));
  TRY(otelmetrics_provider_builder_set_meter_enabled(b, S("noisy.keep"), true));
  TRY(otelmetrics_provider_builder_set_meter_enabled(b, S("noisy.*"), false));
  EXPECT(otelmetrics_provider_builder_set_meter_enabled(b, S(""), false) == OTELMETRICS_STATUS_INVALID_ARGUMENT);
  otelmetrics_view *drop = NULL;
  TRY(otelmetrics_view_new(&drop));
  TRY(otelmetrics_view_select_instrument_name(drop, S("dropped.*")));
  TRY(otelmetrics_view_set_aggregation_drop(drop));
  TRY(otelmetrics_provider_builder_add_view(b, drop));
  otelmetrics_view_free(drop);
  otelmetrics_provider *p = NULL;
  TRY(otelmetrics_provider_builder_build(b, &p));
  otelmetrics_provider_builder_free(b);

  otelmetrics_meter *app = meter(p, S("app"));
  otelmetrics_meter *noisy = meter(p, S("noisy.lib"));
  otelmetrics_meter *rescued = meter(p, S("noisy.keep"));
  family kept = create_family(app, "kept");
  family off = create_family(noisy, "noisy");
  family dropped = create_family(app, "dropped");
  family kept_too = create_family(rescued, "rescued");
  expect_enabled(&kept, true);
  expect_enabled(&off, false);
  expect_enabled(&dropped, false);
  expect_enabled(&kept_too, true);
  EXPECT(!otelmetrics_counter_u64_enabled(NULL));

  record_family(&kept);
  record_family(&off);
  record_family(&dropped);
  record_family(&kept_too);
  TRY(otelmetrics_provider_force_flush(p, 10000));
  TRY(otelmetrics_provider_shutdown(p, 10000));
  expect_enabled(&kept, false);

  free_family(&kept);
  free_family(&off);
  free_family(&dropped);
  free_family(&kept_too);
  otelmetrics_meter_free(app);
  otelmetrics_meter_free(noisy);
  otelmetrics_meter_free(rescued);
  otelmetrics_provider_free(p);
  printf("enabled ok\n");
  return 0;
}
