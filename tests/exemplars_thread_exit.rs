//! A thread that ends inside a sampled span leaves exemplars disarmed: its
//! own test binary, because the armed count is process-wide and the other
//! exemplar tests set spans on threads of their own at the same time.

use otelmetrics::instruments::{exemplars_armed, set_current_span, SpanContext};

const SAMPLED: SpanContext = SpanContext { trace_id: [0xab; 16], span_id: [0x12; 8], flags: 1 };
const UNSAMPLED: SpanContext = SpanContext { trace_id: [0xab; 16], span_id: [0x12; 8], flags: 0 };

#[test]
fn a_thread_that_exits_in_a_sampled_span_disarms_what_it_armed() {
    assert!(!exemplars_armed(), "nothing is armed before any span is set");
    let threads: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(|| {
                set_current_span(Some(SAMPLED));
                set_current_span(Some(SAMPLED)); // the same span again: counted once
                assert!(exemplars_armed());
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    assert!(!exemplars_armed(), "threads that ended in a sampled span still arm exemplars");

    // A thread that cleared its span, or set an unsampled one, disarms once.
    std::thread::spawn(|| {
        set_current_span(Some(SAMPLED));
        set_current_span(Some(UNSAMPLED));
        assert!(!exemplars_armed());
        set_current_span(Some(SAMPLED));
        set_current_span(None);
    })
    .join()
    .unwrap();
    assert!(!exemplars_armed());

    // This thread keeps its span: still armed until it clears it.
    set_current_span(Some(SAMPLED));
    assert!(exemplars_armed());
    set_current_span(None);
    assert!(!exemplars_armed());
}
