/*
 * User data for observable callbacks that counts how often the callback ran
 * and how often its destructor ran (which must be exactly once).
 */
#ifndef OTELMETRICS_TESTS_TRACKED_H
#define OTELMETRICS_TESTS_TRACKED_H

#include "check.h"

typedef struct {
  int calls;
  int freed;
} tracked;

/* The destructor passed as free_user_data. */
static inline void tracked_release(void *user_data) { ((tracked *)user_data)->freed++; }

/* A callback that only counts its calls. */
static inline void tracked_count_call(otelmetrics_observer *observer, void *user_data) {
  (void)observer;
  ((tracked *)user_data)->calls++;
}

#endif
