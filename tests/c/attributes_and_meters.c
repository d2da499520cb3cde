/*
 * Attribute sets and meters, from C:
 * - every attribute type (string, bool, int64, double and arrays of each)
 *   arrives as given, per call and through a reusable set;
 * - a set refuses every bad attribute list (and writes nothing);
 * - a meter refuses a bad name, version, schema URL or scope attributes,
 *   and bad handles and out-pointers;
 * - a set freed after binding leaves the bound series working, and one set
 *   serves several instruments;
 * - per-call attributes are judged by content, not by address: a buffer
 *   reused with other bytes records another series, and bytes that turned
 *   invalid are refused even though the same buffer was valid before (the
 *   library caches series by attributes).
 * Afterwards the data recorded before is intact.
 *
 * Usage: attributes_and_meters [WORK_DIR]
 */
#include "bad_input_cases.h"
#include "check.h"
#include "snapshot.h"

static const otelmetrics_str STRINGS[] = {{"a", 1}, {"b", 1}};
static const uint8_t BOOLS[] = {1, 0};
static const int64_t INTS[] = {-1, 2};
static const double DOUBLES[] = {0.5, -2.25};

/* One attribute of every type. */
static void every_type(otelmetrics_attribute out[8]) {
  out[0] = otelmetrics_attr_string("s", "text");
  out[1] = otelmetrics_attr_bool("b", true);
  out[2] = otelmetrics_attr_int64("i", -42);
  out[3] = otelmetrics_attr_double("d", 1.5);
  out[4] = otelmetrics_attr_array("sa", OTELMETRICS_VALUE_STRING_ARRAY, STRINGS, 2);
  out[5] = otelmetrics_attr_array("ba", OTELMETRICS_VALUE_BOOL_ARRAY, BOOLS, 2);
  out[6] = otelmetrics_attr_array("ia", OTELMETRICS_VALUE_INT64_ARRAY, INTS, 2);
  out[7] = otelmetrics_attr_array("da", OTELMETRICS_VALUE_DOUBLE_ARRAY, DOUBLES, 2);
}

/* How the snapshot spells each of those. */
static const char *const EVERY_TYPE_JSON[] = {
    "{\"key\":\"s\",\"value\":{\"stringValue\":\"text\"}}",
    "{\"key\":\"b\",\"value\":{\"boolValue\":true}}",
    "{\"key\":\"i\",\"value\":{\"intValue\":\"-42\"}}",
    "{\"key\":\"d\",\"value\":{\"doubleValue\":1.5}}",
    "{\"key\":\"sa\",\"value\":{\"arrayValue\":{\"values\":[{\"stringValue\":\"a\"},{\"stringValue\":\"b\"}]}}}",
    "{\"key\":\"ba\",\"value\":{\"arrayValue\":{\"values\":[{\"boolValue\":true},{\"boolValue\":false}]}}}",
    "{\"key\":\"ia\",\"value\":{\"arrayValue\":{\"values\":[{\"intValue\":\"-1\"},{\"intValue\":\"2\"}]}}}",
    "{\"key\":\"da\",\"value\":{\"arrayValue\":{\"values\":[{\"doubleValue\":0.5},{\"doubleValue\":-2.25}]}}}",
};

static void check_every_type_arrived(const char *metric_json) {
  for (size_t i = 0; i < ARRAY_LEN(EVERY_TYPE_JSON); i++) {
    if (!strstr(metric_json, EVERY_TYPE_JSON[i])) {
      fprintf(stderr, "attribute %s is missing from %s\n", EVERY_TYPE_JSON[i], metric_json);
      exit(1);
    }
  }
}

static void test_every_type(const otelmetrics_provider *p, const otelmetrics_meter *m) {
  otelmetrics_attribute attrs[8];
  otelmetrics_attributes *set = NULL;
  otelmetrics_counter_u64 *per_call = NULL, *with_set = NULL;
  every_type(attrs);
  CHECK_CONTEXT("every attribute type");
  CHECK_OK(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("types.per_call"), OTELMETRICS_STR(""),
                                                OTELMETRICS_STR(""), &per_call));
  CHECK_OK(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("types.with_set"), OTELMETRICS_STR(""),
                                                OTELMETRICS_STR(""), &with_set));
  CHECK_OK(otelmetrics_counter_u64_add(per_call, 3, attrs, 8));
  CHECK_OK(otelmetrics_attributes_new(attrs, 8, &set));
  CHECK_OK(otelmetrics_counter_u64_add_with_set(with_set, 4, set));
  otelmetrics_attributes_free(set);

  char *json = snapshot_take(p);
  char *a = snapshot_metric(json, "types.per_call"), *b = snapshot_metric(json, "types.with_set");
  CHECK(a && b && snapshot_point_count(a) == 1 && snapshot_point_count(b) == 1);
  check_every_type_arrived(a);
  check_every_type_arrived(b);
  CHECK(strstr(a, "\"asInt\":\"3\"") && strstr(b, "\"asInt\":\"4\""));
  free(a);
  free(b);
  otelmetrics_string_free(json);
  otelmetrics_counter_u64_free(per_call);
  otelmetrics_counter_u64_free(with_set);
}

static void test_bad_sets(const otelmetrics_meter *m) {
  for (size_t i = 0; i < ARRAY_LEN(BAD_ATTRIBUTES); i++) {
    otelmetrics_attributes *set = NULL;
    CHECK_CONTEXT(BAD_ATTRIBUTES[i].label);
    CHECK_FAILS(otelmetrics_attributes_new(BAD_ATTRIBUTES[i].attributes, BAD_ATTRIBUTES[i].count, &set),
                BAD_ATTRIBUTES[i].expected);
    CHECK(set == NULL);
  }
  otelmetrics_attributes *set = NULL;
  otelmetrics_attribute one = otelmetrics_attr_int64("k", 1);
  CHECK_CONTEXT("set handles");
  CHECK_FAILS(otelmetrics_attributes_new(NULL, 1, &set), OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_FAILS(otelmetrics_attributes_new(&one, 1, NULL), OTELMETRICS_STATUS_NULL_POINTER);
  CHECK(set == NULL);
  /* The empty set is valid: no attributes. */
  CHECK_OK(otelmetrics_attributes_new(NULL, 0, &set));
  otelmetrics_attributes_free(set);
  otelmetrics_attributes_free(NULL);
  /* A meter is not a set: recording through it is refused, not misread. */
  otelmetrics_counter_u64 *c = NULL;
  CHECK_OK(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("sets.refused"), OTELMETRICS_STR(""),
                                                OTELMETRICS_STR(""), &c));
  CHECK_FAILS(otelmetrics_counter_u64_add_with_set(c, 1, (const otelmetrics_attributes *)(const void *)m),
              OTELMETRICS_STATUS_WRONG_HANDLE);
  otelmetrics_counter_u64_free(c);
}

static void test_bad_meters(const otelmetrics_provider *p) {
  otelmetrics_meter *m = NULL;
  const otelmetrics_str empty = OTELMETRICS_STR("");
  const otelmetrics_str bad_utf8 = OTELMETRICS_STR(NOT_UTF8_TRUNCATED);
  const otelmetrics_str null3 = {NULL, 3};
  CHECK_CONTEXT("meter names");
  CHECK_FAILS(otelmetrics_provider_get_meter(p, empty, empty, empty, NULL, 0, &m), OTELMETRICS_STATUS_INVALID_NAME);
  CHECK_FAILS(otelmetrics_provider_get_meter(p, bad_utf8, empty, empty, NULL, 0, &m), OTELMETRICS_STATUS_INVALID_UTF8);
  CHECK_FAILS(otelmetrics_provider_get_meter(p, null3, empty, empty, NULL, 0, &m), OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_CONTEXT("meter versions and schema URLs");
  const otelmetrics_str name = OTELMETRICS_STR("scope");
  CHECK_FAILS(otelmetrics_provider_get_meter(p, name, bad_utf8, empty, NULL, 0, &m), OTELMETRICS_STATUS_INVALID_UTF8);
  CHECK_FAILS(otelmetrics_provider_get_meter(p, name, null3, empty, NULL, 0, &m), OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_FAILS(otelmetrics_provider_get_meter(p, name, empty, bad_utf8, NULL, 0, &m), OTELMETRICS_STATUS_INVALID_UTF8);
  CHECK_FAILS(otelmetrics_provider_get_meter(p, name, empty, null3, NULL, 0, &m), OTELMETRICS_STATUS_NULL_POINTER);
  for (size_t i = 0; i < ARRAY_LEN(BAD_ATTRIBUTES); i++) {
    CHECK_CONTEXT(BAD_ATTRIBUTES[i].label);
    CHECK_FAILS(otelmetrics_provider_get_meter(p, name, empty, empty, BAD_ATTRIBUTES[i].attributes,
                                               BAD_ATTRIBUTES[i].count, &m),
                BAD_ATTRIBUTES[i].expected);
  }
  CHECK_CONTEXT("meter handles");
  CHECK_FAILS(otelmetrics_provider_get_meter(p, name, empty, empty, NULL, 2, &m), OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_FAILS(otelmetrics_provider_get_meter(NULL, name, empty, empty, NULL, 0, &m), OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_FAILS(otelmetrics_provider_get_meter(p, name, empty, empty, NULL, 0, NULL), OTELMETRICS_STATUS_NULL_POINTER);
  otelmetrics_meter *real = test_meter_new(p, "real");
  CHECK_FAILS(otelmetrics_provider_get_meter((const otelmetrics_provider *)(const void *)real, name, empty, empty,
                                             NULL, 0, &m),
              OTELMETRICS_STATUS_WRONG_HANDLE);
  CHECK(m == NULL);
  otelmetrics_meter_free(real);
  otelmetrics_meter_free(NULL);
}

/* Scope attributes, version and schema URL reach the snapshot. */
static void test_scope(const otelmetrics_provider *p) {
  otelmetrics_attribute scope_attr = otelmetrics_attr_string("team", "metrics");
  otelmetrics_meter *m = NULL;
  otelmetrics_gauge_i64 *g = NULL;
  CHECK_CONTEXT("scope");
  CHECK_OK(otelmetrics_provider_get_meter(p, OTELMETRICS_STR("scoped"), OTELMETRICS_STR("2.1.0"),
                                          OTELMETRICS_STR("https://opentelemetry.io/schemas/1.21.0"), &scope_attr, 1,
                                          &m));
  CHECK_OK(otelmetrics_meter_create_gauge_i64(m, OTELMETRICS_STR("scoped.gauge"), OTELMETRICS_STR(""),
                                              OTELMETRICS_STR(""), &g));
  CHECK_OK(otelmetrics_gauge_i64_record(g, 12, NULL, 0));
  char *json = snapshot_take(p);
  CHECK(strstr(json, "{\"name\":\"scoped\",\"version\":\"2.1.0\",\"attributes\":[{\"key\":\"team\",\"value\":"
                     "{\"stringValue\":\"metrics\"}}]"));
  CHECK(strstr(json, "\"schemaUrl\":\"https://opentelemetry.io/schemas/1.21.0\""));
  otelmetrics_string_free(json);
  otelmetrics_gauge_i64_free(g);
  otelmetrics_meter_free(m);
}

/* A set may be freed once bound; one set serves several instruments. */
static void test_set_lifetimes(const otelmetrics_provider *p, const otelmetrics_meter *m) {
  otelmetrics_attribute attr = otelmetrics_attr_string("shared", "yes");
  otelmetrics_attributes *set = NULL;
  otelmetrics_counter_u64 *c = NULL;
  otelmetrics_histogram_u64 *h = NULL;
  otelmetrics_bound_counter_u64 *bound = NULL;
  CHECK_CONTEXT("set lifetimes");
  CHECK_OK(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("sets.counter"), OTELMETRICS_STR(""),
                                                OTELMETRICS_STR(""), &c));
  CHECK_OK(otelmetrics_meter_create_histogram_u64(m, OTELMETRICS_STR("sets.histogram"), OTELMETRICS_STR(""),
                                                  OTELMETRICS_STR(""), NULL, 0, &h));
  CHECK_OK(otelmetrics_attributes_new(&attr, 1, &set));
  CHECK_OK(otelmetrics_counter_u64_bind(c, set, &bound));
  CHECK_OK(otelmetrics_histogram_u64_record_with_set(h, 8, set));
  otelmetrics_attributes_free(set);
  CHECK_OK(otelmetrics_bound_counter_u64_add(bound, 6));
  CHECK_OK(otelmetrics_bound_counter_u64_add(bound, 1));
  char *json = snapshot_take(p);
  CHECK_POINT(json, "sets.counter", "shared", "yes", "\"asInt\":\"7\"");
  CHECK_POINT(json, "sets.histogram", "shared", "yes", "\"count\":\"1\",\"sum\":8");
  otelmetrics_string_free(json);
  otelmetrics_bound_counter_u64_free(bound);
  otelmetrics_counter_u64_free(c);
  otelmetrics_histogram_u64_free(h);
}

static void test_reused_buffers(const otelmetrics_provider *p, const otelmetrics_meter *m) {
  otelmetrics_counter_u64 *c = NULL;
  char key[8], value[8];
  otelmetrics_attribute attr;
  memset(&attr, 0, sizeof attr);
  attr.key = (otelmetrics_str){key, 4};
  attr.value_type = OTELMETRICS_VALUE_STRING;
  attr.value.string = (otelmetrics_str){value, 3};
  CHECK_CONTEXT("reused buffers");
  CHECK_OK(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("reused"), OTELMETRICS_STR(""), OTELMETRICS_STR(""),
                                                &c));
  memcpy(key, "slot", 4);
  memcpy(value, "abc", 3);
  CHECK_OK(otelmetrics_counter_u64_add(c, 1, &attr, 1));
  memcpy(value, "xyz", 3);
  CHECK_OK(otelmetrics_counter_u64_add(c, 2, &attr, 1));
  memcpy(value, "ab\xff", 3);
  CHECK_FAILS(otelmetrics_counter_u64_add(c, 4, &attr, 1), OTELMETRICS_STATUS_INVALID_UTF8);
  memcpy(key, "sl\xc3t", 4);
  memcpy(value, "abc", 3);
  CHECK_FAILS(otelmetrics_counter_u64_add(c, 8, &attr, 1), OTELMETRICS_STATUS_INVALID_UTF8);
  memcpy(key, "slot", 4);
  CHECK_OK(otelmetrics_counter_u64_add(c, 16, &attr, 1));
  char *json = snapshot_take(p);
  CHECK_POINT(json, "reused", "slot", "abc", "\"asInt\":\"17\"");
  CHECK_POINT(json, "reused", "slot", "xyz", "\"asInt\":\"2\"");
  char *metric = snapshot_metric(json, "reused");
  CHECK(snapshot_point_count(metric) == 2);
  free(metric);
  otelmetrics_string_free(json);
  otelmetrics_counter_u64_free(c);
}

int main(void) {
  otelmetrics_provider *p = test_provider_new(NULL);
  otelmetrics_meter *m = test_meter_new(p, "attributes");
  otelmetrics_up_down_counter_i64 *before = NULL;
  otelmetrics_attribute phase = otelmetrics_attr_string("phase", "before");
  CHECK_OK(otelmetrics_meter_create_up_down_counter_i64(m, OTELMETRICS_STR("survivor"), OTELMETRICS_STR(""),
                                                        OTELMETRICS_STR(""), &before));
  CHECK_OK(otelmetrics_up_down_counter_i64_add(before, -17, &phase, 1));

  test_every_type(p, m);
  test_bad_sets(m);
  test_bad_meters(p);
  test_scope(p);
  test_set_lifetimes(p, m);
  test_reused_buffers(p, m);

  CHECK_CONTEXT("data recorded before");
  char *json = snapshot_take(p);
  CHECK_POINT(json, "survivor", "phase", "before", "\"asInt\":\"-17\"");
  char *survivor = snapshot_metric(json, "survivor");
  CHECK(snapshot_point_count(survivor) == 1);
  free(survivor);
  otelmetrics_string_free(json);

  otelmetrics_up_down_counter_i64_free(before);
  otelmetrics_meter_free(m);
  test_provider_close(p);
  puts("attributes_and_meters: ok");
  return 0;
}
