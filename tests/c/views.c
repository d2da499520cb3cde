/*
 * Views, from C, against bad input: every view function refuses a NULL or
 * wrong handle and strings that are not UTF-8 or NULL with a length; an
 * unknown instrument kind or out-of-range exponential scale is refused by
 * the setter; a view that is invalid as a whole (selects nothing, renames
 * with a wildcard, unsorted or non-finite boundaries, zero cardinality
 * limit, allow and deny together, too few exponential buckets) is refused
 * when added, with INVALID_CONFIG. A provider built from the same builder
 * afterwards applies only the valid view.
 *
 * Usage: views [WORK_DIR]
 */
#include <math.h>

#include "bad_input_cases.h"
#include "check.h"
#include "snapshot.h"

typedef otelmetrics_view view;

static view *new_view(void) {
  view *v = NULL;
  CHECK_OK(otelmetrics_view_new(&v));
  return v;
}

/* Calls every view function on `v`: each must return `expected`. */
static void check_every_view_call(view *v, otelmetrics_status expected) {
  static const double bounds[] = {1.0, 2.0};
  const otelmetrics_str keys[] = {OTELMETRICS_STR("k")};
  CHECK_FAILS(otelmetrics_view_select_instrument_name(v, OTELMETRICS_STR("x")), expected);
  CHECK_FAILS(otelmetrics_view_select_instrument_kind(v, OTELMETRICS_INSTRUMENT_KIND_COUNTER), expected);
  CHECK_FAILS(otelmetrics_view_select_unit(v, OTELMETRICS_STR("ms")), expected);
  CHECK_FAILS(otelmetrics_view_select_meter(v, OTELMETRICS_STR("m"), OTELMETRICS_STR("")), expected);
  CHECK_FAILS(otelmetrics_view_set_name(v, OTELMETRICS_STR("y")), expected);
  CHECK_FAILS(otelmetrics_view_set_description(v, OTELMETRICS_STR("d")), expected);
  CHECK_FAILS(otelmetrics_view_allow_attribute_keys(v, keys, 1), expected);
  CHECK_FAILS(otelmetrics_view_deny_attribute_keys(v, keys, 1), expected);
  CHECK_FAILS(otelmetrics_view_set_aggregation_drop(v), expected);
  CHECK_FAILS(otelmetrics_view_set_aggregation_sum(v), expected);
  CHECK_FAILS(otelmetrics_view_set_aggregation_last_value(v), expected);
  CHECK_FAILS(otelmetrics_view_set_aggregation_explicit_buckets(v, bounds, 2, true), expected);
  CHECK_FAILS(otelmetrics_view_set_aggregation_exponential(v, 160, 20, true), expected);
  CHECK_FAILS(otelmetrics_view_set_cardinality_limit(v, 10), expected);
}

static void test_handles(const otelmetrics_provider *some_provider) {
  otelmetrics_provider_builder *b = NULL;
  CHECK_OK(otelmetrics_provider_builder_new(&b));
  CHECK_CONTEXT("NULL view");
  check_every_view_call(NULL, OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_FAILS(otelmetrics_view_new(NULL), OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_FAILS(otelmetrics_provider_builder_add_view(b, NULL), OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_CONTEXT("a provider passed as the view");
  view *not_a_view = (view *)(void *)(uintptr_t)(const void *)some_provider;
  check_every_view_call(not_a_view, OTELMETRICS_STATUS_WRONG_HANDLE);
  CHECK_FAILS(otelmetrics_provider_builder_add_view(b, not_a_view), OTELMETRICS_STATUS_WRONG_HANDLE);
  otelmetrics_provider_builder_free(b);
}

static void test_bad_arguments(void) {
  static const bad_text_case strings[] = {
      {"not UTF-8", {NOT_UTF8_STRAY, 1}, OTELMETRICS_STATUS_INVALID_UTF8},
      {"NULL with length 2", {NULL, 2}, OTELMETRICS_STATUS_NULL_POINTER},
  };
  view *v = new_view();
  for (size_t i = 0; i < ARRAY_LEN(strings); i++) {
    const otelmetrics_str s = strings[i].text;
    const otelmetrics_status want = strings[i].expected;
    const otelmetrics_str keys[] = {OTELMETRICS_STR("fine"), s};
    CHECK_CONTEXT(strings[i].label);
    CHECK_FAILS(otelmetrics_view_select_instrument_name(v, s), want);
    CHECK_FAILS(otelmetrics_view_select_unit(v, s), want);
    CHECK_FAILS(otelmetrics_view_select_meter(v, s, OTELMETRICS_STR("")), want);
    CHECK_FAILS(otelmetrics_view_select_meter(v, OTELMETRICS_STR("m"), s), want);
    CHECK_FAILS(otelmetrics_view_set_name(v, s), want);
    CHECK_FAILS(otelmetrics_view_set_description(v, s), want);
    CHECK_FAILS(otelmetrics_view_allow_attribute_keys(v, keys, 2), want);
    CHECK_FAILS(otelmetrics_view_deny_attribute_keys(v, keys, 2), want);
  }
  CHECK_CONTEXT("NULL arrays with a count");
  CHECK_FAILS(otelmetrics_view_allow_attribute_keys(v, NULL, 1), OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_FAILS(otelmetrics_view_set_aggregation_explicit_buckets(v, NULL, 3, false), OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_CONTEXT("out-of-range values");
  static const uint32_t kinds[] = {0, OTELMETRICS_INSTRUMENT_KIND_OBSERVABLE_GAUGE + 1, 0xFFFFFFFFu};
  for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
    CHECK_FAILS(otelmetrics_view_select_instrument_kind(v, kinds[i]), OTELMETRICS_STATUS_INVALID_ARGUMENT);
  }
  CHECK_FAILS(otelmetrics_view_set_aggregation_exponential(v, 160, 1000, true), OTELMETRICS_STATUS_INVALID_ARGUMENT);
  CHECK_FAILS(otelmetrics_view_set_aggregation_exponential(v, 160, -1000, true), OTELMETRICS_STATUS_INVALID_ARGUMENT);
  otelmetrics_view_free(v);
}

/* Views invalid as a whole, each refused when added. */
static void selects_nothing(view *v) { (void)v; }
static void renames_a_wildcard(view *v) {
  CHECK_OK(otelmetrics_view_select_instrument_name(v, OTELMETRICS_STR("http.*")));
  CHECK_OK(otelmetrics_view_set_name(v, OTELMETRICS_STR("one")));
}
static void unsorted_buckets(view *v) {
  static const double b[] = {5.0, 1.0};
  CHECK_OK(otelmetrics_view_select_instrument_name(v, OTELMETRICS_STR("h")));
  CHECK_OK(otelmetrics_view_set_aggregation_explicit_buckets(v, b, 2, true));
}
static void nan_bucket(view *v) {
  static const double b[] = {1.0, NAN};
  CHECK_OK(otelmetrics_view_select_instrument_name(v, OTELMETRICS_STR("h")));
  CHECK_OK(otelmetrics_view_set_aggregation_explicit_buckets(v, b, 2, true));
}
static void zero_cardinality(view *v) {
  CHECK_OK(otelmetrics_view_select_instrument_name(v, OTELMETRICS_STR("c")));
  CHECK_OK(otelmetrics_view_set_cardinality_limit(v, 0));
}
static void allow_and_deny(view *v) {
  const otelmetrics_str keys[] = {OTELMETRICS_STR("k")};
  CHECK_OK(otelmetrics_view_select_instrument_name(v, OTELMETRICS_STR("c")));
  CHECK_OK(otelmetrics_view_allow_attribute_keys(v, keys, 1));
  CHECK_OK(otelmetrics_view_deny_attribute_keys(v, keys, 1));
}
static void one_exponential_bucket(view *v) {
  CHECK_OK(otelmetrics_view_select_instrument_kind(v, OTELMETRICS_INSTRUMENT_KIND_HISTOGRAM));
  CHECK_OK(otelmetrics_view_set_aggregation_exponential(v, 1, 20, true));
}

static void test_invalid_views(otelmetrics_provider_builder *b) {
  static const struct {
    const char *label;
    void (*make)(view *);
  } cases[] = {
      {"selects nothing", selects_nothing},     {"renames a wildcard", renames_a_wildcard},
      {"unsorted buckets", unsorted_buckets},   {"NaN bucket", nan_bucket},
      {"zero cardinality", zero_cardinality},   {"allow and deny", allow_and_deny},
      {"one exponential bucket", one_exponential_bucket},
  };
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    view *v = new_view();
    CHECK_CONTEXT(cases[i].label);
    cases[i].make(v);
    CHECK_FAILS(otelmetrics_provider_builder_add_view(b, v), OTELMETRICS_STATUS_INVALID_CONFIG);
    otelmetrics_view_free(v);
  }
}

int main(void) {
  otelmetrics_provider *some_provider = test_provider_new(NULL);
  test_handles(some_provider);
  test_provider_close(some_provider);
  test_bad_arguments();

  /* One valid view (rename), then every invalid one, on the same builder:
   * only the valid one applies. */
  otelmetrics_provider_builder *b = NULL;
  otelmetrics_provider *p = NULL;
  CHECK_OK(otelmetrics_provider_builder_new(&b));
  CHECK_OK(otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_NONE));
  CHECK_OK(otelmetrics_provider_builder_enable_in_memory_reader(b));
  view *rename = new_view();
  CHECK_OK(otelmetrics_view_select_instrument_name(rename, OTELMETRICS_STR("c")));
  CHECK_OK(otelmetrics_view_set_name(rename, OTELMETRICS_STR("renamed")));
  CHECK_OK(otelmetrics_provider_builder_add_view(b, rename));
  otelmetrics_view_free(rename);
  test_invalid_views(b);
  CHECK_OK(otelmetrics_provider_builder_build(b, &p));
  otelmetrics_provider_builder_free(b);

  CHECK_CONTEXT("only the valid view applies");
  otelmetrics_meter *m = test_meter_new(p, "views");
  otelmetrics_counter_u64 *c = NULL;
  otelmetrics_attribute k = otelmetrics_attr_string("k", "kept");
  CHECK_OK(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("c"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), &c));
  CHECK_OK(otelmetrics_counter_u64_add(c, 9, &k, 1));
  char *json = snapshot_take(p);
  CHECK_POINT(json, "renamed", "k", "kept", "\"asInt\":\"9\"");
  CHECK(snapshot_metric(json, "c") == NULL);
  otelmetrics_string_free(json);
  otelmetrics_counter_u64_free(c);
  otelmetrics_meter_free(m);
  test_provider_close(p);
  puts("views: ok");
  return 0;
}
