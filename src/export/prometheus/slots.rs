//! Which connections the endpoint keeps open, so that clients that connect
//! and then send nothing, or trickle a request head byte by byte, can never
//! keep a real scraper out.
//!
//! At most `capacity` connections are open (a bound on the host process's
//! file descriptors). A connection is either *waiting* for a request head
//! (just accepted, or idle between keep-alive requests) or *answering* one.
//! When a new connection arrives and every slot is taken, the connection
//! that has been waiting longest is closed to make room: a scraper, whose
//! request head follows its connect at once, is always the newest waiter
//! and is answered, while idle and trickling clients lose their slots
//! oldest first. Only when every open connection is answering a request is
//! the new one turned away. Each connection's wait is bounded besides by
//! the request-head deadline (http.rs).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::Notify;

/// `waiting_since` of a connection answering a request.
const ANSWERING: u64 = u64::MAX;

pub struct Slots {
    capacity: usize,
    epoch: Instant,
    open: Mutex<Vec<Arc<Slot>>>,
}

/// One open connection's slot.
pub struct Slot {
    /// Nanoseconds since `Slots::epoch` at which it began waiting for its
    /// current request head, or `ANSWERING`.
    waiting_since: AtomicU64,
    evicted: Notify,
}

impl Slots {
    pub fn new(capacity: usize) -> Arc<Slots> {
        Arc::new(Slots {
            capacity,
            epoch: Instant::now(),
            open: Mutex::new(Vec::with_capacity(capacity)),
        })
    }

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_nanos().min(u128::from(ANSWERING - 1)) as u64
    }

    /// A slot for a just-accepted connection (waiting for its first head),
    /// evicting the longest-waiting connection when all are taken; None when
    /// every open connection is answering a request.
    pub fn admit(self: &Arc<Self>) -> Option<Admitted> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.len() >= self.capacity {
            let oldest = open
                .iter()
                .enumerate()
                .filter(|(_, s)| s.waiting_since.load(Ordering::SeqCst) != ANSWERING)
                .min_by_key(|(_, s)| s.waiting_since.load(Ordering::SeqCst))
                .map(|(i, _)| i)?;
            // Its slot is free from now on; the connection closes when its
            // task next runs (see `Admitted::evicted`).
            open.swap_remove(oldest).evicted.notify_one();
        }
        let slot =
            Arc::new(Slot { waiting_since: AtomicU64::new(self.now()), evicted: Notify::new() });
        open.push(slot.clone());
        Some(Admitted { marker: Marker { slots: self.clone(), slot } })
    }

    #[cfg(test)]
    fn open(&self) -> usize {
        self.open.lock().unwrap().len()
    }
}

/// A connection's hold on its slot, given back when dropped.
pub struct Admitted {
    marker: Marker,
}

impl Admitted {
    /// The handle its request handler marks the connection's state with.
    pub fn marker(&self) -> &Marker {
        &self.marker
    }

    pub fn is_answering(&self) -> bool {
        self.marker.slot.waiting_since.load(Ordering::SeqCst) == ANSWERING
    }

    /// Resolves when a newer connection took this one's slot.
    pub async fn evicted(&self) {
        self.marker.slot.evicted.notified().await
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let Marker { slots, slot } = &self.marker;
        let mut open = slots.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = open.iter().position(|s| Arc::ptr_eq(s, slot)) {
            open.swap_remove(i);
        }
    }
}

/// Marks a connection answering a request or waiting for the next one.
#[derive(Clone)]
pub struct Marker {
    slots: Arc<Slots>,
    slot: Arc<Slot>,
}

impl Marker {
    pub fn answering(&self) {
        self.slot.waiting_since.store(ANSWERING, Ordering::SeqCst);
    }

    pub fn waiting(&self) {
        self.slot.waiting_since.store(self.slots.now(), Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    fn is_evicted(a: &Admitted) -> bool {
        let mut fut = pin!(a.evicted());
        matches!(fut.as_mut().poll(&mut Context::from_waker(Waker::noop())), Poll::Ready(()))
    }

    #[test]
    fn the_longest_waiting_connection_makes_room() {
        let slots = Slots::new(2);
        let first = slots.admit().unwrap();
        let second = slots.admit().unwrap();
        let third = slots.admit().unwrap();
        assert!(is_evicted(&first) && !is_evicted(&second) && !is_evicted(&third));
        assert_eq!(slots.open(), 2);
        drop(first);
        assert_eq!(slots.open(), 2);
        drop(second);
        assert_eq!(slots.open(), 1);
        drop(third);
        assert_eq!(slots.open(), 0);
    }

    #[test]
    fn answering_connections_keep_their_slots() {
        let slots = Slots::new(2);
        let a = slots.admit().unwrap();
        let b = slots.admit().unwrap();
        a.marker().answering();
        let c = slots.admit().unwrap();
        assert!(!is_evicted(&a) && is_evicted(&b));
        c.marker().answering();
        assert!(slots.admit().is_none(), "every slot is answering");
        // A connection back to waiting after its answer is the newest waiter.
        a.marker().waiting();
        assert!(slots.admit().is_some());
        assert!(is_evicted(&a));
    }
}
