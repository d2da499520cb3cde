/*
 * What the end-to-end producer programs share: a call-or-die macro and the
 * observable callbacks whose values the tests expect (kitchen 21.5 and
 * garage -3.25 degrees, 4096 bytes read), and a reading of the process's
 * own memory.
 */
#ifndef PRODUCER_COMMON_H
#define PRODUCER_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otelmetrics.h"

#define TRY(call)                                                                            \
  do {                                                                                       \
    otelmetrics_status s_ = (call);                                                          \
    if (s_ != OTELMETRICS_STATUS_OK) {                                                       \
      fprintf(stderr, "%s -> %s: %s\n", #call, otelmetrics_status_name(s_),                 \
              otelmetrics_last_error_message(NULL));                                         \
      exit(1);                                                                               \
    }                                                                                        \
  } while (0)

/* A `Vm...:` line of /proc/self/status in KiB (-1 if absent): VmRSS now,
 * VmHWM the peak. Unlike getrusage's ru_maxrss, VmHWM starts afresh at
 * exec, so the parent's memory before the exec is not counted. */
static inline long proc_status_kib(const char *field) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kib = -1;
  size_t n = strlen(field);
  while (f && fgets(line, sizeof line, f)) {
    if (strncmp(line, field, n) == 0 && line[n] == ':') kib = strtol(line + n + 1, NULL, 10);
  }
  if (f) fclose(f);
  return kib;
}

static inline void temperature(otelmetrics_observer *observer, void *user_data) {
  (void)user_data;
  otelmetrics_attribute kitchen = otelmetrics_attr_string("room", "kitchen");
  otelmetrics_attribute garage = otelmetrics_attr_string("room", "garage");
  otelmetrics_observer_observe_f64(observer, 21.5, &kitchen, 1);
  otelmetrics_observer_observe_f64(observer, -3.25, &garage, 1);
}

static inline void bytes_read(otelmetrics_observer *observer, void *user_data) {
  (void)user_data;
  otelmetrics_observer_observe_u64(observer, 4096, NULL, 0);
}

#endif
