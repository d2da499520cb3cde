//! `fork()` without `exec` (gunicorn, multiprocessing, C daemons): the child
//! has none of the parent's threads (export thread, I/O runtime) and a copy
//! of the parent's aggregated data, which must not be exported twice.
//!
//! A fork handler bumps a generation counter in the child (an atomic
//! increment: safe in a forked child). Everything that owns threads or SDK
//! state remembers the generation it was built in and, when it sees a newer
//! one, builds itself anew in the child and abandons (leaks, never drops)
//! the parent's copy: dropping it would wait for threads that do not exist.

use super::fork_safe;
use std::ptr::null_mut;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};

static GENERATION: AtomicU64 = AtomicU64::new(0);
/// Not a `Once`: a child forked while another thread ran it would wait on
/// it forever.
static HANDLER_INSTALLED: AtomicBool = AtomicBool::new(false);

extern "C" fn in_child() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
    fork_safe::after_fork_in_child();
    super::lifecycle::advance_recording_epoch();
    super::prometheus::inherited::close_in_child();
}

/// Installs the fork handlers (once per process).
pub fn install_handler() {
    if !HANDLER_INSTALLED.load(Ordering::Relaxed) && !HANDLER_INSTALLED.swap(true, Ordering::SeqCst)
    {
        unsafe {
            libc::pthread_atfork(
                Some(fork_safe::before_fork),
                Some(fork_safe::after_fork_in_parent),
                Some(in_child),
            );
        }
    }
}

/// The current generation: 0 in the original process, +1 per fork.
#[inline]
pub fn generation() -> u64 {
    GENERATION.load(Ordering::Relaxed)
}

/// A value built for one generation and rebuilt after a fork. Reads are one
/// atomic load; values of earlier generations are leaked on purpose.
pub struct PerGeneration<T> {
    current: AtomicPtr<(u64, T)>,
}

impl<T> PerGeneration<T> {
    pub fn new(value: T) -> Self {
        PerGeneration { current: AtomicPtr::new(Box::into_raw(Box::new((generation(), value)))) }
    }

    /// The value of this generation, rebuilding it with `rebuild` (given the
    /// stale one) when a fork happened since it was built.
    #[inline]
    pub fn get_or_rebuild(&self, rebuild: impl FnOnce(&T) -> T) -> &T {
        let ptr = self.current.load(Ordering::Acquire);
        let (built_in, value) = unsafe { &*ptr };
        let now = generation();
        if *built_in == now {
            return value;
        }
        self.replace(ptr, now, rebuild)
    }

    /// Out of line: only a forked child ever gets here, once per value.
    #[cold]
    #[inline(never)]
    fn replace(&self, stale: *mut (u64, T), now: u64, rebuild: impl FnOnce(&T) -> T) -> &T {
        install(&self.current, stale, now, rebuild(unsafe { &(*stale).1 }))
    }

    /// The value without the generation check (for shutdown paths that must
    /// not build anything).
    pub fn peek(&self) -> &T {
        unsafe { &(*self.current.load(Ordering::Acquire)).1 }
    }
}

impl<T> Drop for PerGeneration<T> {
    fn drop(&mut self) {
        // Only the current generation's value is ours to drop.
        let ptr = *self.current.get_mut();
        if unsafe { (*ptr).0 } == generation() {
            drop(unsafe { Box::from_raw(ptr) });
        }
    }
}

unsafe impl<T: Send + Sync> Send for PerGeneration<T> {}
unsafe impl<T: Send + Sync> Sync for PerGeneration<T> {}

/// A value built once per process generation, on first use, without a
/// lock (a one-time lock another thread held at a fork would stay held in
/// the child): threads racing to build it each build one and the first to
/// install it wins (the others drop theirs). Values of earlier generations
/// are leaked on purpose, as with `PerGeneration`.
pub struct Lazy<T> {
    current: AtomicPtr<(u64, T)>,
}

impl<T> Default for Lazy<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Lazy<T> {
    pub const fn new() -> Self {
        Lazy { current: AtomicPtr::new(null_mut()) }
    }

    pub fn get_or_init(&self, build: impl FnOnce() -> T) -> &T {
        let seen = self.current.load(Ordering::Acquire);
        let now = generation();
        if let Some((built_in, value)) = unsafe { seen.as_ref() } {
            if *built_in == now {
                return value;
            }
        }
        install(&self.current, seen, now, build())
    }
}

unsafe impl<T: Send + Sync> Send for Lazy<T> {}
unsafe impl<T: Send + Sync> Sync for Lazy<T> {}

/// Puts `value`, built in generation `now`, where `seen` was. When another
/// thread of this process installed its own first, `value` is dropped and
/// theirs (built in the same generation: a child has no other thread from
/// before the fork) is returned.
fn install<T>(current: &AtomicPtr<(u64, T)>, seen: *mut (u64, T), now: u64, value: T) -> &T {
    let fresh = Box::into_raw(Box::new((now, value)));
    match current.compare_exchange(seen, fresh, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => unsafe { &(*fresh).1 },
        Err(winner) => {
            drop(unsafe { Box::from_raw(fresh) });
            unsafe { &(*winner).1 }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn lazy_builds_once_per_generation() {
        static BUILT: AtomicUsize = AtomicUsize::new(0);
        let lazy: Lazy<usize> = Lazy::new();
        let a = *lazy.get_or_init(|| BUILT.fetch_add(1, Ordering::SeqCst));
        let b = *lazy.get_or_init(|| BUILT.fetch_add(1, Ordering::SeqCst));
        assert_eq!((a, b, BUILT.load(Ordering::SeqCst)), (0, 0, 1));
    }
}
