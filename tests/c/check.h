/*
 * Assertions for the C test programs. A failed check prints file:line, the
 * expression, and the library's last error message, then exits with 1 so
 * the pytest driver reports the program as failed.
 *
 *   CHECK(cond)                  cond must hold
 *   CHECK_STATUS(expr, expected) expr must return that status
 *   CHECK_FAILS(expr, expected)  expr must fail with that status AND leave a
 *                                fresh, readable last-error message that
 *                                starts with the status name
 *
 * CHECK_FAILS proves the message is fresh: before the call it plants a
 * sentinel error no test provokes otherwise, and afterwards the message
 * must differ from it.
 */
#ifndef OTELMETRICS_TESTS_CHECK_H
#define OTELMETRICS_TESTS_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otelmetrics.h"

/* What the program is checking right now (a case label), printed with any
 * failure; set it with CHECK_CONTEXT. */
static const char *check_context = "";
#define CHECK_CONTEXT(label) (check_context = (label))

static inline const char *check_last_error(void) {
  const char *m = otelmetrics_last_error_message(NULL);
  return m ? m : "(NULL)";
}

#define CHECK(cond)                                                                                            \
  do {                                                                                                         \
    if (!(cond)) {                                                                                             \
      fprintf(stderr, "%s:%d: [%s] CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, check_context, #cond, \
              check_last_error());                                                                     \
      exit(1);                                                                                                 \
    }                                                                                                          \
  } while (0)

#define CHECK_STATUS(expr, expected)                                                                          \
  do {                                                                                                        \
    otelmetrics_status check_got_ = (expr);                                                                   \
    otelmetrics_status check_want_ = (expected);                                                              \
    if (check_got_ != check_want_) {                                                                          \
      fprintf(stderr, "%s:%d: [%s] %s returned %s, expected %s; last error: %s\n", __FILE__, __LINE__,      \
              check_context, #expr,                                                                   \
              otelmetrics_status_name(check_got_), otelmetrics_status_name(check_want_), check_last_error()); \
      exit(1);                                                                                                \
    }                                                                                                         \
  } while (0)

#define CHECK_OK(expr) CHECK_STATUS(expr, OTELMETRICS_STATUS_OK)

/* The sentinel: an attribute with a key no test uses and a type tag the
 * library cannot know, so its message is recognisable. */
#define CHECK_SENTINEL_KEY "check.h-sentinel-key"

static inline void check_plant_sentinel_error(void) {
  otelmetrics_attribute a;
  otelmetrics_attributes *set = NULL;
  memset(&a, 0, sizeof a);
  a.key = OTELMETRICS_STR(CHECK_SENTINEL_KEY);
  a.value_type = 0x5e47;
  if (otelmetrics_attributes_new(&a, 1, &set) != OTELMETRICS_STATUS_INVALID_ARGUMENT || set != NULL ||
      !strstr(check_last_error(), CHECK_SENTINEL_KEY)) {
    fprintf(stderr, "check.h: the sentinel error could not be planted (last error: %s)\n", check_last_error());
    exit(1);
  }
}

/* Whether s[0..len) is well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
static inline int check_is_utf8(const unsigned char *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    unsigned c = s[i];
    size_t n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 9;
    if (n == 9 || i + n >= len) return 0;
    unsigned long cp = n == 0 ? c : c & (0x3Fu >> n);
    for (size_t k = 1; k <= n; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (s[i + k] & 0x3Fu);
    }
    static const unsigned long min_cp[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    i += n + 1;
  }
  return 1;
}

/* A readable message: "<STATUS_NAME>: <explanation>", as text
 * in well-formed UTF-8, length reported = strlen, not the sentinel. Returns NULL when fine, otherwise what is wrong. */
static inline const char *check_message_problem(otelmetrics_status expected) {
  size_t len = 0;
  const char *m = otelmetrics_last_error_message(&len);
  const char *name = otelmetrics_status_name(expected);
  size_t name_len = strlen(name);
  if (!m) return "the message is NULL";
  if (strlen(m) != len) return "the reported length differs from strlen";
  if (strstr(m, CHECK_SENTINEL_KEY)) return "the message is stale (no new error was set)";
  if (strncmp(m, name, name_len) != 0 || strncmp(m + name_len, ": ", 2) != 0) {
    return "the message does not start with the expected status name";
  }
  if (len < name_len + 2 + 8) return "the explanation is too short to be useful";
  if (!check_is_utf8((const unsigned char *)m, len)) return "the message is not valid UTF-8";
  return NULL;
}

#define CHECK_FAILS(expr, expected)                                                                   \
  do {                                                                                                \
    check_plant_sentinel_error();                                                                     \
    CHECK_STATUS(expr, expected);                                                                     \
    const char *check_problem_ = check_message_problem(expected);                                     \
    if (check_problem_) {                                                                             \
      fprintf(stderr, "%s:%d: [%s] %s: %s; message: %s\n", __FILE__, __LINE__, check_context, #expr, \
              check_problem_,                                                                         \
              check_last_error());                                                                    \
      exit(1);                                                                                        \
    }                                                                                                 \
  } while (0)

#endif
