/*
 * What the end-to-end producer programs share: a call-or-die macro and the
 * observable callbacks whose values the tests expect (kitchen 21.5 and
 * garage -3.25 degrees, 4096 bytes read).
 */
#ifndef PRODUCER_COMMON_H
#define PRODUCER_COMMON_H

#include <stdio.h>
#include <stdlib.h>

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
