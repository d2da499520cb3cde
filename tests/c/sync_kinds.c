/*
 * Every synchronous instrument kind (counter u64/f64, up-down counter
 * i64/f64, histogram u64/f64, gauge u64/i64/f64), from C, against bad input
 * of every kind: at creation (names, descriptions, units, handles,
 * out-pointers), when recording with attributes per call, with a pre-built
 * set and through a bound handle (handles, attributes, values), and after
 * shutdown. Each bad call must return its documented status with a fresh
 * readable message; afterwards the snapshot must still hold exactly what
 * was recorded before, nothing more (no partial or rejected measurement),
 * and the console export written at shutdown must hold it too.
 *
 * Usage: sync_kinds [WORK_DIR]  (console export files go there; default .)
 */
#include <math.h>
#include <stdint.h>

#include "bad_input_cases.h"
#include "check.h"
#include "snapshot.h"

static const char *work_dir = ".";

/* The attribute of each good series: one per way of recording. */
static const otelmetrics_attribute PATH_CALL[] = {{{"path", 4}, OTELMETRICS_VALUE_STRING, {.string = {"call", 4}}}};
static const otelmetrics_attribute PATH_SET[] = {{{"path", 4}, OTELMETRICS_VALUE_STRING, {.string = {"set", 3}}}};
static const otelmetrics_attribute PATH_BOUND[] = {{{"path", 4}, OTELMETRICS_VALUE_STRING, {.string = {"bound", 5}}}};

static const double BOUNDARIES[] = {1.0, 10.0, 100.0};

/* Reads the whole file (free it). */
static char *read_text_file(const char *path) {
  FILE *f = fopen(path, "rb");
  CHECK(f != NULL);
  CHECK(fseek(f, 0, SEEK_END) == 0);
  long size = ftell(f);
  CHECK(size >= 0 && fseek(f, 0, SEEK_SET) == 0);
  char *text = malloc((size_t)size + 1);
  CHECK(text != NULL);
  CHECK(fread(text, 1, (size_t)size, f) == (size_t)size);
  text[size] = '\0';
  fclose(f);
  return text;
}

/* The three good series hold `value_json` and nothing else was recorded. */
static void check_three_good_points(const char *json, const char *metric, const char *value_json) {
  CHECK_POINT(json, metric, "path", "call", value_json);
  CHECK_POINT(json, metric, "path", "set", value_json);
  CHECK_POINT(json, metric, "path", "bound", value_json);
  char *m = snapshot_metric(json, metric);
  CHECK(snapshot_point_count(m) == 3);
  free(m);
}

/*
 * One test per kind. KIND names the C type (counter_u64, ...), T its value
 * type, VERB `add` or `record`, GOOD a valid value and GOOD_JSON how it
 * appears in a data point, CREATE_EXTRA the histogram boundary arguments
 * (empty for other kinds), then the count of bad values and the values.
 */
#define SYNC_KIND_TEST(KIND, T, VERB, GOOD, GOOD_JSON, CREATE_EXTRA, N_BAD, ...)                               \
  static void test_##KIND(void) {                                                                              \
    static const T bad_values[] = {__VA_ARGS__};                                                               \
    const size_t bad_count = (N_BAD);                                                                          \
    char console_path[1024];                                                                                   \
    snprintf(console_path, sizeof console_path, "%s/%s.jsonl", work_dir, #KIND);                               \
    remove(console_path);                                                                                      \
    otelmetrics_provider *p = test_provider_new(console_path);                                                 \
    otelmetrics_meter *m = test_meter_new(p, "sync-kinds");                                                    \
    const otelmetrics_str name = OTELMETRICS_STR(#KIND), desc = OTELMETRICS_STR("d"), unit = OTELMETRICS_STR("1"); \
    otelmetrics_##KIND *inst = NULL;                                                                           \
                                                                                                               \
    /* Creation. */                                                                                            \
    for (size_t i = 0; i < ARRAY_LEN(BAD_INSTRUMENT_NAMES); i++) {                                             \
      CHECK_CONTEXT(BAD_INSTRUMENT_NAMES[i].label);                                                            \
      CHECK_FAILS(otelmetrics_meter_create_##KIND(m, BAD_INSTRUMENT_NAMES[i].text, desc, unit CREATE_EXTRA, &inst), \
                  BAD_INSTRUMENT_NAMES[i].expected);                                                           \
    }                                                                                                          \
    for (size_t i = 0; i < ARRAY_LEN(BAD_DESCRIPTIONS); i++) {                                                 \
      CHECK_CONTEXT(BAD_DESCRIPTIONS[i].label);                                                                \
      CHECK_FAILS(otelmetrics_meter_create_##KIND(m, name, BAD_DESCRIPTIONS[i].text, unit CREATE_EXTRA, &inst), \
                  BAD_DESCRIPTIONS[i].expected);                                                               \
    }                                                                                                          \
    for (size_t i = 0; i < ARRAY_LEN(BAD_UNITS); i++) {                                                        \
      CHECK_CONTEXT(BAD_UNITS[i].label);                                                                       \
      CHECK_FAILS(otelmetrics_meter_create_##KIND(m, name, desc, BAD_UNITS[i].text CREATE_EXTRA, &inst),        \
                  BAD_UNITS[i].expected);                                                                      \
    }                                                                                                          \
    CHECK_CONTEXT(#KIND ": create with bad handles");                                                          \
    CHECK_FAILS(otelmetrics_meter_create_##KIND(NULL, name, desc, unit CREATE_EXTRA, &inst),                   \
                OTELMETRICS_STATUS_NULL_POINTER);                                                              \
    CHECK_FAILS(otelmetrics_meter_create_##KIND((const otelmetrics_meter *)(const void *)p, name, desc,        \
                                                unit CREATE_EXTRA, &inst),                                     \
                OTELMETRICS_STATUS_WRONG_HANDLE);                                                              \
    CHECK_FAILS(otelmetrics_meter_create_##KIND(m, name, desc, unit CREATE_EXTRA, NULL),                       \
                OTELMETRICS_STATUS_NULL_POINTER);                                                              \
    CHECK(inst == NULL); /* written only on success */                                                         \
    otelmetrics_##KIND *longest = NULL;                                                                        \
    CHECK_OK(otelmetrics_meter_create_##KIND(m, LONGEST_NAME, desc, unit CREATE_EXTRA, &longest));             \
    otelmetrics_##KIND##_free(longest);                                                                        \
    CHECK_OK(otelmetrics_meter_create_##KIND(m, name, desc, unit CREATE_EXTRA, &inst));                        \
                                                                                                               \
    /* Good measurements, one series per way of recording. */                                                  \
    CHECK_CONTEXT(#KIND ": good measurements");                                                                \
    otelmetrics_attributes *set = NULL, *bound_set = NULL;                                                     \
    otelmetrics_bound_##KIND *bound = NULL;                                                                    \
    CHECK_OK(otelmetrics_attributes_new(PATH_SET, 1, &set));                                                   \
    CHECK_OK(otelmetrics_attributes_new(PATH_BOUND, 1, &bound_set));                                           \
    CHECK_OK(otelmetrics_##KIND##_bind(inst, bound_set, &bound));                                              \
    CHECK_OK(otelmetrics_##KIND##_##VERB(inst, GOOD, PATH_CALL, 1));                                           \
    CHECK_OK(otelmetrics_##KIND##_##VERB##_with_set(inst, GOOD, set));                                         \
    CHECK_OK(otelmetrics_bound_##KIND##_##VERB(bound, GOOD));                                                  \
                                                                                                               \
    /* Bad handles and pointers. */                                                                            \
    CHECK_CONTEXT(#KIND ": record with bad handles");                                                          \
    const otelmetrics_##KIND *not_inst = (const otelmetrics_##KIND *)(const void *)m;                          \
    CHECK_FAILS(otelmetrics_##KIND##_##VERB(NULL, GOOD, PATH_CALL, 1), OTELMETRICS_STATUS_NULL_POINTER);       \
    CHECK_FAILS(otelmetrics_##KIND##_##VERB(not_inst, GOOD, PATH_CALL, 1), OTELMETRICS_STATUS_WRONG_HANDLE);   \
    CHECK_FAILS(otelmetrics_##KIND##_##VERB(inst, GOOD, NULL, 2), OTELMETRICS_STATUS_NULL_POINTER);            \
    CHECK_FAILS(otelmetrics_##KIND##_##VERB##_with_set(NULL, GOOD, set), OTELMETRICS_STATUS_NULL_POINTER);     \
    CHECK_FAILS(otelmetrics_##KIND##_##VERB##_with_set(not_inst, GOOD, set), OTELMETRICS_STATUS_WRONG_HANDLE); \
    CHECK_FAILS(otelmetrics_##KIND##_##VERB##_with_set(inst, GOOD, (const otelmetrics_attributes *)(const void *)m), \
                OTELMETRICS_STATUS_WRONG_HANDLE);                                                              \
    CHECK_FAILS(otelmetrics_##KIND##_bind(NULL, set, &bound), OTELMETRICS_STATUS_NULL_POINTER);                \
    CHECK_FAILS(otelmetrics_##KIND##_bind(not_inst, set, &bound), OTELMETRICS_STATUS_WRONG_HANDLE);            \
    CHECK_FAILS(otelmetrics_##KIND##_bind(inst, (const otelmetrics_attributes *)(const void *)m, &bound),      \
                OTELMETRICS_STATUS_WRONG_HANDLE);                                                              \
    CHECK_FAILS(otelmetrics_##KIND##_bind(inst, set, NULL), OTELMETRICS_STATUS_NULL_POINTER);                  \
    CHECK_FAILS(otelmetrics_bound_##KIND##_##VERB(NULL, GOOD), OTELMETRICS_STATUS_NULL_POINTER);               \
    CHECK_FAILS(otelmetrics_bound_##KIND##_##VERB((const otelmetrics_bound_##KIND *)(const void *)inst, GOOD), \
                OTELMETRICS_STATUS_WRONG_HANDLE);                                                              \
    CHECK_FAILS(otelmetrics_##KIND##_##VERB((const otelmetrics_##KIND *)(const void *)bound, GOOD, PATH_CALL, 1), \
                OTELMETRICS_STATUS_WRONG_HANDLE);                                                              \
                                                                                                               \
    /* Bad attributes. */                                                                                      \
    for (size_t i = 0; i < ARRAY_LEN(BAD_ATTRIBUTES); i++) {                                                   \
      CHECK_CONTEXT(BAD_ATTRIBUTES[i].label);                                                                  \
      CHECK_FAILS(otelmetrics_##KIND##_##VERB(inst, GOOD, BAD_ATTRIBUTES[i].attributes, BAD_ATTRIBUTES[i].count), \
                  BAD_ATTRIBUTES[i].expected);                                                                 \
    }                                                                                                          \
                                                                                                               \
    /* Bad values, on every path, on the good series. */                                                       \
    for (size_t i = 0; i < bad_count; i++) {                                                                  \
      CHECK_CONTEXT(#KIND ": bad value");                                                                      \
      CHECK_FAILS(otelmetrics_##KIND##_##VERB(inst, bad_values[i], PATH_CALL, 1), OTELMETRICS_STATUS_INVALID_VALUE); \
      CHECK_FAILS(otelmetrics_##KIND##_##VERB##_with_set(inst, bad_values[i], set), OTELMETRICS_STATUS_INVALID_VALUE); \
      CHECK_FAILS(otelmetrics_bound_##KIND##_##VERB(bound, bad_values[i]), OTELMETRICS_STATUS_INVALID_VALUE);  \
    }                                                                                                          \
                                                                                                               \
    /* What was recorded before is intact, and nothing else was recorded. */                                  \
    CHECK_CONTEXT(#KIND ": snapshot after bad input");                                                         \
    char *json = snapshot_take(p);                                                                             \
    check_three_good_points(json, #KIND, GOOD_JSON);                                                           \
    otelmetrics_string_free(json);                                                                             \
                                                                                                               \
    /* After shutdown every call on the instrument reports SHUTDOWN. */                                        \
    CHECK_CONTEXT(#KIND ": after shutdown");                                                                   \
    CHECK_OK(otelmetrics_provider_shutdown(p, 5000));                                                          \
    otelmetrics_bound_##KIND *late_bound = NULL;                                                               \
    otelmetrics_##KIND *late = NULL;                                                                           \
    CHECK_FAILS(otelmetrics_##KIND##_##VERB(inst, GOOD, PATH_CALL, 1), OTELMETRICS_STATUS_SHUTDOWN);           \
    CHECK_FAILS(otelmetrics_##KIND##_##VERB##_with_set(inst, GOOD, set), OTELMETRICS_STATUS_SHUTDOWN);         \
    CHECK_FAILS(otelmetrics_bound_##KIND##_##VERB(bound, GOOD), OTELMETRICS_STATUS_SHUTDOWN);                  \
    CHECK_FAILS(otelmetrics_##KIND##_bind(inst, set, &late_bound), OTELMETRICS_STATUS_SHUTDOWN);               \
    CHECK_FAILS(otelmetrics_meter_create_##KIND(m, OTELMETRICS_STR("late"), desc, unit CREATE_EXTRA, &late),   \
                OTELMETRICS_STATUS_SHUTDOWN);                                                                  \
    CHECK(late == NULL && late_bound == NULL);                                                                 \
                                                                                                               \
    /* The final export at shutdown carried the good data. */                                                  \
    char *exported = read_text_file(console_path);                                                             \
    const char *last_line = exported;                                                                          \
    for (char *nl = strchr(exported, '\n'); nl && nl[1]; nl = strchr(nl + 1, '\n')) last_line = nl + 1;        \
    check_three_good_points(last_line, #KIND, GOOD_JSON);                                                      \
    free(exported);                                                                                            \
                                                                                                               \
    otelmetrics_bound_##KIND##_free(bound);                                                                    \
    otelmetrics_attributes_free(set);                                                                          \
    otelmetrics_attributes_free(bound_set);                                                                    \
    otelmetrics_##KIND##_free(inst);                                                                           \
    otelmetrics_meter_free(m);                                                                                 \
    otelmetrics_provider_free(p);                                                                              \
  }

#define NO_BOUNDARIES
#define WITH_BOUNDARIES , BOUNDARIES, ARRAY_LEN(BOUNDARIES)

SYNC_KIND_TEST(counter_u64, uint64_t, add, 5, "\"asInt\":\"5\"", NO_BOUNDARIES, 0, 0)
SYNC_KIND_TEST(counter_f64, double, add, 2.5, "\"asDouble\":2.5", NO_BOUNDARIES, 5, NAN, INFINITY, -INFINITY, -1.0,
               -0.001)
SYNC_KIND_TEST(up_down_counter_i64, int64_t, add, -3, "\"asInt\":\"-3\"", NO_BOUNDARIES, 0, 0)
SYNC_KIND_TEST(up_down_counter_f64, double, add, -1.25, "\"asDouble\":-1.25", NO_BOUNDARIES, 3, NAN, INFINITY,
               -INFINITY)
SYNC_KIND_TEST(histogram_u64, uint64_t, record, 7, "\"count\":\"1\",\"sum\":7", WITH_BOUNDARIES, 0, 0)
/* The header documents only NaN and infinities as rejected by histograms;
 * negative values are accepted today (see the report of issue 6). */
SYNC_KIND_TEST(histogram_f64, double, record, 1.5, "\"count\":\"1\",\"sum\":1.5", WITH_BOUNDARIES, 3, NAN, INFINITY,
               -INFINITY)
SYNC_KIND_TEST(gauge_u64, uint64_t, record, 9, "\"asInt\":\"9\"", NO_BOUNDARIES, 0, 0)
SYNC_KIND_TEST(gauge_i64, int64_t, record, -9, "\"asInt\":\"-9\"", NO_BOUNDARIES, 0, 0)
SYNC_KIND_TEST(gauge_f64, double, record, 0.75, "\"asDouble\":0.75", NO_BOUNDARIES, 3, NAN, INFINITY, -INFINITY)

/* Advisory boundaries must be finite and strictly increasing. */
static void test_histogram_boundaries(void) {
  static const double unsorted[] = {10.0, 1.0}, repeated[] = {1.0, 1.0}, with_nan[] = {1.0, NAN},
                      with_inf[] = {1.0, INFINITY};
  static const struct {
    const char *label;
    const double *bounds;
    size_t count;
    otelmetrics_status expected;
  } cases[] = {
      {"unsorted boundaries", unsorted, 2, OTELMETRICS_STATUS_INVALID_ARGUMENT},
      {"repeated boundaries", repeated, 2, OTELMETRICS_STATUS_INVALID_ARGUMENT},
      {"NaN boundary", with_nan, 2, OTELMETRICS_STATUS_INVALID_ARGUMENT},
      {"infinite boundary", with_inf, 2, OTELMETRICS_STATUS_INVALID_ARGUMENT},
      {"NULL boundaries with count 3", NULL, 3, OTELMETRICS_STATUS_NULL_POINTER},
  };
  otelmetrics_provider *p = test_provider_new(NULL);
  otelmetrics_meter *m = test_meter_new(p, "boundaries");
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    otelmetrics_histogram_u64 *hu = NULL;
    otelmetrics_histogram_f64 *hf = NULL;
    CHECK_CONTEXT(cases[i].label);
    CHECK_FAILS(otelmetrics_meter_create_histogram_u64(m, OTELMETRICS_STR("h.u"), OTELMETRICS_STR(""),
                                                       OTELMETRICS_STR(""), cases[i].bounds, cases[i].count, &hu),
                cases[i].expected);
    CHECK_FAILS(otelmetrics_meter_create_histogram_f64(m, OTELMETRICS_STR("h.f"), OTELMETRICS_STR(""),
                                                       OTELMETRICS_STR(""), cases[i].bounds, cases[i].count, &hf),
                cases[i].expected);
    CHECK(hu == NULL && hf == NULL);
  }
  otelmetrics_meter_free(m);
  test_provider_close(p);
}

int main(int argc, char **argv) {
  if (argc > 1) work_dir = argv[1];
  test_counter_u64();
  test_counter_f64();
  test_up_down_counter_i64();
  test_up_down_counter_f64();
  test_histogram_u64();
  test_histogram_f64();
  test_gauge_u64();
  test_gauge_i64();
  test_gauge_f64();
  test_histogram_boundaries();
  puts("sync_kinds: ok");
  return 0;
}
