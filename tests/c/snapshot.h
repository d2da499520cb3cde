/*
 * Reading back what a provider holds, for the C test programs: a provider
 * with the in-memory reader, its OTLP-JSON snapshot, and a small scan of
 * that JSON (find one metric, one data point by attribute, count points).
 * The JSON is the library's own fixed serialisation, so plain string search
 * with brace matching is enough; no JSON library is needed.
 */
#ifndef OTELMETRICS_TESTS_SNAPSHOT_H
#define OTELMETRICS_TESTS_SNAPSHOT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* A provider that exports nowhere (or, when `console_json_path` is not NULL,
 * appends OTLP-JSON lines to that file at each export) and can be read with
 * snapshot_take. */
static inline otelmetrics_provider *test_provider_new(const char *console_json_path) {
  otelmetrics_provider_builder *b = NULL;
  otelmetrics_provider *p = NULL;
  CHECK_OK(otelmetrics_provider_builder_new(&b));
  CHECK_OK(otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_NONE));
  if (console_json_path) {
    CHECK_OK(otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_CONSOLE));
    CHECK_OK(otelmetrics_provider_builder_set_console_format(b, OTELMETRICS_CONSOLE_FORMAT_JSON));
    CHECK_OK(otelmetrics_provider_builder_set_console_path(b, otelmetrics_str_from_cstr(console_json_path)));
  }
  CHECK_OK(otelmetrics_provider_builder_enable_in_memory_reader(b));
  CHECK_OK(otelmetrics_provider_builder_build(b, &p));
  otelmetrics_provider_builder_free(b);
  return p;
}

static inline otelmetrics_meter *test_meter_new(const otelmetrics_provider *p, const char *name) {
  otelmetrics_meter *m = NULL;
  CHECK_OK(otelmetrics_provider_get_meter(p, otelmetrics_str_from_cstr(name), OTELMETRICS_STR(""),
                                          OTELMETRICS_STR(""), NULL, 0, &m));
  return m;
}

/* Shuts the provider down (which must succeed) and frees it. */
static inline void test_provider_close(otelmetrics_provider *p) {
  CHECK_OK(otelmetrics_provider_shutdown(p, 5000));
  otelmetrics_provider_free(p);
}

/* The provider's current snapshot; free with otelmetrics_string_free. */
static inline char *snapshot_take(const otelmetrics_provider *p) {
  char *json = NULL;
  size_t len = 0;
  CHECK_OK(otelmetrics_provider_read_json(p, &json, &len));
  CHECK(json != NULL && strlen(json) == len);
  return json;
}

/* Past the end of the JSON object or array starting at `open`, or NULL. */
static inline const char *json_skip_value(const char *open) {
  int depth = 0;
  for (const char *c = open; *c; c++) {
    if (*c == '"') {
      for (c++; *c && *c != '"'; c++) {
        if (*c == '\\' && c[1]) c++;
      }
      if (!*c) return NULL;
    } else if (*c == '{' || *c == '[') {
      depth++;
    } else if ((*c == '}' || *c == ']') && --depth == 0) {
      return c + 1;
    }
  }
  return NULL;
}

static inline char *json_copy(const char *from, const char *to) {
  size_t n = (size_t)(to - from);
  char *s = malloc(n + 1);
  CHECK(s != NULL);
  memcpy(s, from, n);
  s[n] = '\0';
  return s;
}

/* A copy of the object of metric `name` in `json` (free it), or NULL. */
static inline char *snapshot_metric(const char *json, const char *name) {
  char needle[512];
  snprintf(needle, sizeof needle, "{\"name\":\"%s\",\"description\":", name);
  const char *start = strstr(json, needle);
  if (!start) return NULL;
  const char *end = json_skip_value(start);
  CHECK(end != NULL);
  return json_copy(start, end);
}

/* A copy of the data point of `metric` (a snapshot_metric result) whose
 * text contains `fragment` (e.g. an attribute), or NULL. */
static inline char *snapshot_point(const char *metric, const char *fragment) {
  const char *array = strstr(metric, "\"dataPoints\":[");
  if (!array) return NULL;
  const char *c = strchr(array, '[') + 1;
  while (*c == '{') {
    const char *end = json_skip_value(c);
    CHECK(end != NULL);
    char *point = json_copy(c, end);
    if (strstr(point, fragment)) return point;
    free(point);
    c = end + (*end == ',');
  }
  return NULL;
}

static inline size_t count_occurrences(const char *haystack, const char *needle) {
  size_t n = 0;
  for (const char *c = strstr(haystack, needle); c; c = strstr(c + 1, needle)) n++;
  return n;
}

/* Data points in a metric object: each has exactly one "timeUnixNano". */
static inline size_t snapshot_point_count(const char *metric) {
  return count_occurrences(metric, "\"timeUnixNano\"");
}

/* The attribute fragment for a string attribute, as the JSON spells it. */
static inline const char *string_attr_json(char *buf, size_t size, const char *key, const char *value) {
  snprintf(buf, size, "{\"key\":\"%s\",\"value\":{\"stringValue\":\"%s\"}}", key, value);
  return buf;
}

/* Checks that metric `name` in `json` has a point with string attribute
 * key=value whose text contains `value_fragment` (e.g. "\"asInt\":\"5\""). */
#define CHECK_POINT(json, name, key, value, value_fragment)                                                   \
  do {                                                                                                        \
    char check_attr_[256];                                                                                    \
    char *check_metric_ = snapshot_metric((json), (name));                                                    \
    if (!check_metric_) {                                                                                     \
      fprintf(stderr, "%s:%d: metric %s is missing from the snapshot: %s\n", __FILE__, __LINE__, (name), (json)); \
      exit(1);                                                                                                \
    }                                                                                                         \
    char *check_point_ = snapshot_point(check_metric_, string_attr_json(check_attr_, sizeof check_attr_, (key), (value))); \
    if (!check_point_ || !strstr(check_point_, (value_fragment))) {                                           \
      fprintf(stderr, "%s:%d: metric %s has no point %s=%s with %s: %s\n", __FILE__, __LINE__, (name), (key), \
              (value), (value_fragment), check_metric_);                                                      \
      exit(1);                                                                                                \
    }                                                                                                         \
    free(check_point_);                                                                                       \
    free(check_metric_);                                                                                      \
  } while (0)

#endif
