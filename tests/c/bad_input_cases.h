/*
 * The bad inputs every entry point that takes them must refuse, shared by
 * the C test programs: attribute lists, instrument names, descriptions and
 * units. Each case carries the status the header documents for it.
 */
#ifndef OTELMETRICS_TESTS_BAD_INPUT_CASES_H
#define OTELMETRICS_TESTS_BAD_INPUT_CASES_H

#include <string.h>

#include "check.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Byte sequences that are not UTF-8: a stray continuation byte, a
 * truncated sequence, an overlong encoding, a UTF-16 surrogate. */
#define NOT_UTF8_STRAY "\x80"
#define NOT_UTF8_TRUNCATED "ok\xc3"
#define NOT_UTF8_OVERLONG "\xc0\xaf"
#define NOT_UTF8_SURROGATE "\xed\xa0\x80"

static const otelmetrics_str bad_string_elements[] = {{"fine", 4}, {NOT_UTF8_SURROGATE, 3}};

typedef struct {
  const char *label;
  otelmetrics_attribute attributes[2];
  size_t count;
  otelmetrics_status expected;
} bad_attributes_case;

#define VALID_FIRST {{"region", 6}, OTELMETRICS_VALUE_STRING, {.string = {"eu", 2}}}

static const bad_attributes_case BAD_ATTRIBUTES[] = {
    {"key NULL with length 3", {{{NULL, 3}, OTELMETRICS_VALUE_BOOL, {.boolean = 1}}}, 1, OTELMETRICS_STATUS_NULL_POINTER},
    {"key not UTF-8 (stray byte)", {{{NOT_UTF8_STRAY, 1}, OTELMETRICS_VALUE_INT64, {.int64 = 1}}}, 1,
     OTELMETRICS_STATUS_INVALID_UTF8},
    {"key not UTF-8 (overlong)", {{{NOT_UTF8_OVERLONG, 2}, OTELMETRICS_VALUE_INT64, {.int64 = 1}}}, 1,
     OTELMETRICS_STATUS_INVALID_UTF8},
    {"key empty", {{{"", 0}, OTELMETRICS_VALUE_INT64, {.int64 = 1}}}, 1, OTELMETRICS_STATUS_INVALID_ARGUMENT},
    {"string value not UTF-8 (truncated)", {{{"k", 1}, OTELMETRICS_VALUE_STRING, {.string = {NOT_UTF8_TRUNCATED, 3}}}},
     1, OTELMETRICS_STATUS_INVALID_UTF8},
    {"string value NULL with length 4", {{{"k", 1}, OTELMETRICS_VALUE_STRING, {.string = {NULL, 4}}}}, 1,
     OTELMETRICS_STATUS_NULL_POINTER},
    {"type tag 0", {{{"k", 1}, 0, {.int64 = 1}}}, 1, OTELMETRICS_STATUS_INVALID_ARGUMENT},
    {"type tag 9 (one past the last)", {{{"k", 1}, 9, {.int64 = 1}}}, 1, OTELMETRICS_STATUS_INVALID_ARGUMENT},
    {"type tag 0xFFFFFFFF", {{{"k", 1}, 0xFFFFFFFFu, {.int64 = 1}}}, 1, OTELMETRICS_STATUS_INVALID_ARGUMENT},
    {"string array NULL with length 2", {{{"k", 1}, OTELMETRICS_VALUE_STRING_ARRAY, {.array = {NULL, 2}}}}, 1,
     OTELMETRICS_STATUS_NULL_POINTER},
    {"int64 array NULL with length 3", {{{"k", 1}, OTELMETRICS_VALUE_INT64_ARRAY, {.array = {NULL, 3}}}}, 1,
     OTELMETRICS_STATUS_NULL_POINTER},
    {"string array element not UTF-8 (surrogate)",
     {{{"k", 1}, OTELMETRICS_VALUE_STRING_ARRAY, {.array = {bad_string_elements, 2}}}}, 1,
     OTELMETRICS_STATUS_INVALID_UTF8},
    {"valid attribute then a key not UTF-8", {VALID_FIRST, {{NOT_UTF8_STRAY, 1}, OTELMETRICS_VALUE_BOOL, {.boolean = 0}}},
     2, OTELMETRICS_STATUS_INVALID_UTF8},
    {"valid attribute then an unknown tag", {VALID_FIRST, {{"k", 1}, 77, {.int64 = 0}}}, 2,
     OTELMETRICS_STATUS_INVALID_ARGUMENT},
};

typedef struct {
  const char *label;
  otelmetrics_str text;
  otelmetrics_status expected;
} bad_text_case;

/* 256 letters: one more than an instrument name may have. */
static const char LONG_NAME[] =
    "abcdefghijklmnopabcdefghijklmnopabcdefghijklmnopabcdefghijklmnopabcdefghijklmnopabcdefghijklmnopabcdefghijklmnop"
    "abcdefghijklmnopabcdefghijklmnopabcdefghijklmnopabcdefghijklmnopabcdefghijklmnopabcdefghijklmnopabcdefghijklmnop"
    "abcdefghijklmnopabcdefghijklmnop";

static const bad_text_case BAD_INSTRUMENT_NAMES[] = {
    {"empty", {"", 0}, OTELMETRICS_STATUS_INVALID_NAME},
    {"256 characters", {LONG_NAME, 256}, OTELMETRICS_STATUS_INVALID_NAME},
    {"digit first", {"1st", 3}, OTELMETRICS_STATUS_INVALID_NAME},
    {"underscore first", {"_x", 2}, OTELMETRICS_STATUS_INVALID_NAME},
    {"space inside", {"a b", 3}, OTELMETRICS_STATUS_INVALID_NAME},
    {"star inside", {"a*b", 3}, OTELMETRICS_STATUS_INVALID_NAME},
    {"newline inside", {"a\nb", 3}, OTELMETRICS_STATUS_INVALID_NAME},
    {"non-ASCII letter", {"caf\xc3\xa9", 5}, OTELMETRICS_STATUS_INVALID_NAME},
    {"not UTF-8", {"a" NOT_UTF8_STRAY, 2}, OTELMETRICS_STATUS_INVALID_UTF8},
    {"NULL with length 5", {NULL, 5}, OTELMETRICS_STATUS_NULL_POINTER},
};

static const bad_text_case BAD_DESCRIPTIONS[] = {
    {"not UTF-8", {NOT_UTF8_TRUNCATED, 3}, OTELMETRICS_STATUS_INVALID_UTF8},
    {"NULL with length 2", {NULL, 2}, OTELMETRICS_STATUS_NULL_POINTER},
};

static const bad_text_case BAD_UNITS[] = {
    {"not UTF-8", {NOT_UTF8_SURROGATE, 3}, OTELMETRICS_STATUS_INVALID_UTF8},
    {"non-ASCII", {"\xc2\xb0""C", 3}, OTELMETRICS_STATUS_INVALID_NAME},
    {"64 characters", {LONG_NAME, 64}, OTELMETRICS_STATUS_INVALID_NAME},
    {"NULL with length 1", {NULL, 1}, OTELMETRICS_STATUS_NULL_POINTER},
};

/* The longest valid name (255 letters): the positive control of the limit. */
#define LONGEST_NAME ((otelmetrics_str){LONG_NAME, 255})

#endif
