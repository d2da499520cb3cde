//! Sending one request until it is delivered, refused for good, or out of
//! time. The OTLP specification's rules: transient failures are retried
//! with exponential backoff and jitter; a delay the receiver asks for
//! (HTTP `Retry-After`, gRPC `RetryInfo`) is honoured; nothing is retried
//! past the export's deadline; permanent failures are not retried.
//!
//! A receiver's delay may lengthen a wait, never shorten it below the
//! backoff: `Retry-After: 0` (the specification's own example of a
//! retryable answer) would otherwise turn the retries into a storm of
//! thousands of requests per export. Attempts per request are capped
//! ([`MAX_ATTEMPTS`], the Python SDK's number), whatever the deadline.

use crate::export::{error_type, ErrorType};
use std::future::Future;
use std::time::{Duration, Instant};

/// The receiver took the request. It may still have rejected some data
/// points (OTLP partial success): their number and its message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Delivered {
    pub rejected_points: u64,
    pub message: String,
}

/// What one attempt to send a request came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Delivered(Delivered),
    /// Worth trying again, after `after` if the receiver said so.
    Transient {
        reason: String,
        after: Option<Duration>,
        error_type: ErrorType,
    },
    /// Trying again would fail the same way.
    Permanent {
        reason: String,
        error_type: ErrorType,
    },
}

/// Why a request was given up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Phrased to follow "export to <destination>", e.g. "failed: ...".
    pub why: String,
    /// Refused for good (as opposed to: out of time while it kept failing).
    pub permanent: bool,
    /// The cause of the last attempt (or `timeout` when none was made).
    pub error_type: ErrorType,
}

/// The first backoff delay; it doubles per retry up to [`MAX_BACKOFF`].
const INITIAL_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// Attempts of one request in one export, the first included.
pub(crate) const MAX_ATTEMPTS: u32 = 6;

/// Sends with `attempt` until delivered, refused, or `deadline`. Each
/// attempt is given at most `per_attempt`, and never more than the time
/// left. Returns the delivered outcome, or why the request was given up.
pub async fn with_retries<F, Fut>(
    deadline: Instant,
    per_attempt: Duration,
    mut attempt: F,
) -> Result<Delivered, Failure>
where
    F: FnMut(Duration) -> Fut,
    Fut: Future<Output = Attempt>,
{
    let mut backoff = INITIAL_BACKOFF;
    let mut tries = 0u32;
    let mut last_cause: ErrorType = error_type::TIMEOUT.into();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            let why = format!("failed: the export deadline passed before attempt {}", tries + 1);
            return Err(Failure { why, permanent: false, error_type: last_cause });
        }
        let budget = per_attempt.min(left);
        tries += 1;
        let outcome = match tokio::time::timeout(budget, attempt(budget)).await {
            Ok(outcome) => outcome,
            Err(_) => Attempt::Transient {
                reason: format!("timed out after {} ms", budget.as_millis()),
                after: None,
                error_type: error_type::TIMEOUT.into(),
            },
        };
        match outcome {
            Attempt::Delivered(delivered) => return Ok(delivered),
            Attempt::Permanent { reason, error_type } => {
                return Err(Failure {
                    why: format!("failed: {reason} (not retried)"),
                    permanent: true,
                    error_type,
                })
            }
            Attempt::Transient { reason, after, error_type } => {
                last_cause = error_type;
                if tries >= MAX_ATTEMPTS {
                    let why =
                        format!("failed: {reason} ({tries} attempts, the most one export makes)");
                    return Err(Failure { why, permanent: false, error_type: last_cause });
                }
                let scheduled = jittered(backoff);
                let wait = after.map_or(scheduled, |asked| asked.max(scheduled));
                backoff = (backoff * 2).min(MAX_BACKOFF);
                if Instant::now() + wait >= deadline {
                    let asked = if after.is_some_and(|asked| asked >= scheduled) {
                        "the receiver asked to retry"
                    } else {
                        "the next retry is due"
                    };
                    let why = format!(
                        "failed: {reason} ({tries} attempt(s); {asked} in {} ms, past the export deadline)",
                        wait.as_millis()
                    );
                    return Err(Failure { why, permanent: false, error_type: last_cause });
                }
                tokio::time::sleep(wait).await;
            }
        }
    }
}

/// `delay` scaled by a random factor in [0.5, 1.0), so many processes
/// failing together do not retry in step.
fn jittered(delay: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let random = std::collections::hash_map::RandomState::new().build_hasher().finish();
    let fraction = 0.5 + (random % 1000) as f64 / 2000.0;
    delay.mul_f64(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn run<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(f)
    }

    /// Replays `script`, one outcome per attempt, recording when each came.
    fn scripted(
        script: Vec<Attempt>,
    ) -> (impl FnMut(Duration) -> std::future::Ready<Attempt>, std::sync::Arc<Mutex<Vec<Instant>>>)
    {
        let times = std::sync::Arc::new(Mutex::new(Vec::new()));
        let seen = times.clone();
        let mut script = script.into_iter();
        let attempt = move |_budget| {
            seen.lock().unwrap().push(Instant::now());
            std::future::ready(script.next().expect("no more attempts scripted"))
        };
        (attempt, times)
    }

    fn transient(after_ms: Option<u64>) -> Attempt {
        Attempt::Transient {
            reason: "unavailable".into(),
            after: after_ms.map(Duration::from_millis),
            error_type: "UNAVAILABLE".into(),
        }
    }

    fn delivered() -> Attempt {
        Attempt::Delivered(Delivered::default())
    }

    #[test]
    fn a_transient_failure_is_retried_after_the_delay_the_receiver_asked() {
        let (attempt, times) = scripted(vec![transient(Some(300)), delivered()]);
        let deadline = Instant::now() + Duration::from_secs(5);
        assert_eq!(
            run(with_retries(deadline, Duration::from_secs(1), attempt)),
            Ok(Delivered::default())
        );
        let times = times.lock().unwrap();
        assert_eq!(times.len(), 2);
        assert!(times[1] - times[0] >= Duration::from_millis(300));
    }

    /// Three transient failures, each with the receiver's delay `after_ms`,
    /// then a delivery: each wait is at least half the backoff's 200, 400,
    /// 800 ms (jitter keeps a wait within [half, whole] of it).
    fn assert_waits_follow_the_backoff(after_ms: Option<u64>) {
        let (attempt, times) = scripted(vec![
            transient(after_ms),
            transient(after_ms),
            transient(after_ms),
            delivered(),
        ]);
        let deadline = Instant::now() + Duration::from_secs(30);
        assert_eq!(
            run(with_retries(deadline, Duration::from_secs(1), attempt)),
            Ok(Delivered::default())
        );
        let times = times.lock().unwrap();
        for (i, base) in [200u64, 400, 800].into_iter().enumerate() {
            let waited = times[i + 1] - times[i];
            assert!(waited >= Duration::from_millis(base / 2), "wait {i}: {waited:?}");
        }
    }

    #[test]
    fn backoff_without_a_hint_grows() {
        assert_waits_follow_the_backoff(None);
    }

    #[test]
    fn a_receiver_delay_shorter_than_the_backoff_does_not_shorten_it() {
        assert_waits_follow_the_backoff(Some(0));
    }

    #[test]
    fn attempts_per_request_are_capped_whatever_the_deadline() {
        let script = (0..MAX_ATTEMPTS + 4).map(|_| transient(Some(0))).collect();
        let (attempt, times) = scripted(script);
        let deadline = Instant::now() + Duration::from_secs(120);
        let err = run(with_retries(deadline, Duration::from_secs(1), attempt)).unwrap_err();
        assert_eq!(times.lock().unwrap().len(), MAX_ATTEMPTS as usize);
        assert!(!err.permanent);
        assert_eq!(err.error_type, "UNAVAILABLE");
        assert!(err.why.contains(&format!("{MAX_ATTEMPTS} attempts")), "{err:?}");
    }

    #[test]
    fn a_permanent_failure_is_not_retried() {
        let (attempt, times) = scripted(vec![Attempt::Permanent {
            reason: "HTTP 400".into(),
            error_type: "400".into(),
        }]);
        let deadline = Instant::now() + Duration::from_secs(5);
        let err = run(with_retries(deadline, Duration::from_secs(1), attempt)).unwrap_err();
        assert!(err.permanent);
        assert_eq!(err.error_type, "400");
        assert!(err.why.contains("HTTP 400") && err.why.contains("not retried"), "{err:?}");
        assert_eq!(times.lock().unwrap().len(), 1);
    }

    #[test]
    fn a_delay_past_the_deadline_gives_up_at_once() {
        let (attempt, times) = scripted(vec![transient(Some(10_000))]);
        let started = Instant::now();
        let err =
            run(with_retries(started + Duration::from_secs(1), Duration::from_secs(1), attempt))
                .unwrap_err();
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "waited for a retry it could not make"
        );
        assert!(!err.permanent);
        assert_eq!(err.error_type, "UNAVAILABLE", "the cause of the last attempt");
        assert!(err.why.contains("asked to retry in 10000 ms"), "{err:?}");
        assert_eq!(times.lock().unwrap().len(), 1);
    }

    #[test]
    fn an_attempt_gets_no_more_than_the_time_left() {
        let started = Instant::now();
        let budgets = Mutex::new(Vec::new());
        let err = run(with_retries(
            started + Duration::from_millis(300),
            Duration::from_secs(10),
            |budget| {
                budgets.lock().unwrap().push(budget);
                std::future::pending::<Attempt>()
            },
        ))
        .unwrap_err();
        let elapsed = started.elapsed();
        assert!(
            elapsed >= Duration::from_millis(290) && elapsed < Duration::from_secs(2),
            "{elapsed:?}"
        );
        assert!(budgets.lock().unwrap()[0] <= Duration::from_millis(300));
        assert!(err.why.contains("timed out"), "{err:?}");
        assert_eq!(err.error_type, "timeout");
    }
}
