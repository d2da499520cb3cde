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
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicPtr, AtomicU64, Ordering};

static GENERATION: AtomicU64 = AtomicU64::new(0);
/// Not a `Once`: a child forked while another thread ran it would wait on
/// it forever.
static HANDLER_INSTALLED: AtomicBool = AtomicBool::new(false);

extern "C" fn in_child() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
    fork_safe::after_fork_in_child();
    for slot in &CHILD_HOOKS {
        let hook = slot.load(Ordering::SeqCst);
        if !hook.is_null() {
            // SAFETY: `on_child` stores nothing but `fn()` pointers here.
            let hook = unsafe { std::mem::transmute::<*mut (), fn()>(hook) };
            hook();
        }
    }
    inherited::close_in_child();
}

/// Functions a forked child runs before anything else (after the locks are
/// made usable), in the order registered: how a layer above (the provider's
/// recording epoch, say) joins the fork handling without this layer knowing
/// it. Fixed slots of atomics, because a fork handler may not take locks.
static CHILD_HOOKS: [AtomicPtr<()>; 8] = [const { AtomicPtr::new(null_mut()) }; 8];

/// Registers `hook` to run in every forked child (once, however often it is
/// registered). The handlers are installed too.
pub fn on_child(hook: fn()) {
    install_handler();
    let wanted = hook as *mut ();
    for slot in &CHILD_HOOKS {
        match slot.compare_exchange(null_mut(), wanted, Ordering::SeqCst, Ordering::SeqCst) {
            Ok(_) => return,
            Err(existing) if existing == wanted => return,
            Err(_) => {}
        }
    }
    // Only the library's own layers register, a fixed handful of hooks.
    unreachable!("more fork hooks than CHILD_HOOKS has slots");
}

/// Descriptors a forked child inherits but must not keep (the Prometheus
/// endpoint's listening socket and connections): the child's fork handler
/// closes them, so that a peer reaching the port after the parent is gone
/// gets a refusal rather than a hang, and a connection the parent closes is
/// closed. Fixed slots of atomics, because a fork handler may not take
/// locks; a descriptor that finds no free slot is left open in a child.
pub mod inherited {
    use super::{AtomicI32, Ordering};

    /// Room for every endpoint's listener and connections (64 each at most).
    const SLOTS: usize = 256;
    static FDS: [AtomicI32; SLOTS] = [const { AtomicI32::new(-1) }; SLOTS];

    /// Makes a child close `fd`; the slot to give back before `fd` closes.
    pub fn register(fd: i32) -> Option<usize> {
        (0..SLOTS)
            .find(|&i| FDS[i].compare_exchange(-1, fd, Ordering::SeqCst, Ordering::SeqCst).is_ok())
    }

    pub fn unregister(slot: usize) {
        FDS[slot].store(-1, Ordering::SeqCst);
    }

    /// Called in a forked child: closes every registered descriptor.
    pub(super) fn close_in_child() {
        for slot in &FDS {
            let fd = slot.swap(-1, Ordering::SeqCst);
            if fd >= 0 {
                // SAFETY: the descriptor is the child's copy of one whose
                // owner (a thread of the parent) does not exist in the child,
                // so nothing else will close or use it.
                unsafe { libc::close(fd) };
            }
        }
    }
}

/// Installs the fork handlers (once per process).
pub fn install_handler() {
    if !HANDLER_INSTALLED.load(Ordering::Relaxed) && !HANDLER_INSTALLED.swap(true, Ordering::SeqCst)
    {
        // SAFETY: the three handlers are `extern "C"` functions of this
        // library that live as long as the process and take no lock.
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
        // SAFETY: `current` always holds a pointer from `Box::into_raw` that
        // is never freed while `self` lives (stale values are leaked).
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
        // SAFETY: `stale` was loaded from `current`: a live, leaked-not-freed box.
        install(&self.current, stale, now, rebuild(unsafe { &(*stale).1 }))
    }

    /// The value without the generation check (for shutdown paths that must
    /// not build anything).
    pub fn peek(&self) -> &T {
        // SAFETY: as in `get_or_rebuild`, `current` is always a live box.
        unsafe { &(*self.current.load(Ordering::Acquire)).1 }
    }
}

impl<T> Drop for PerGeneration<T> {
    fn drop(&mut self) {
        // Only the current generation's value is ours to drop.
        let ptr = *self.current.get_mut();
        // SAFETY: `current` is a live box; `&mut self` means no reader
        // remains, so the box can be freed when this generation made it.
        if unsafe { (*ptr).0 } == generation() {
            // SAFETY: as above; freed once, here.
            drop(unsafe { Box::from_raw(ptr) });
        }
    }
}

// SAFETY: a shared `PerGeneration` hands out `&T` to any thread and builds
// a `T` on whichever thread sees a fork first: sound when `T` is both.
unsafe impl<T: Send + Sync> Send for PerGeneration<T> {}
// SAFETY: as above.
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
        // SAFETY: `current` is null or a box from `install`, never freed
        // while `self` lives.
        if let Some((built_in, value)) = unsafe { seen.as_ref() } {
            if *built_in == now {
                return value;
            }
        }
        install(&self.current, seen, now, build())
    }
}

// SAFETY: as for `PerGeneration`: any thread may build or read the value.
unsafe impl<T: Send + Sync> Send for Lazy<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync> Sync for Lazy<T> {}

/// Puts `value`, built in generation `now`, where `seen` was. When another
/// thread of this process installed its own first, `value` is dropped and
/// theirs (built in the same generation: a child has no other thread from
/// before the fork) is returned.
fn install<T>(current: &AtomicPtr<(u64, T)>, seen: *mut (u64, T), now: u64, value: T) -> &T {
    let fresh = Box::into_raw(Box::new((now, value)));
    match current.compare_exchange(seen, fresh, Ordering::AcqRel, Ordering::Acquire) {
        // SAFETY: `fresh` is now `current`'s box, never freed while the
        // owner lives (later generations leak it).
        Ok(_) => unsafe { &(*fresh).1 },
        Err(winner) => {
            // SAFETY: `fresh` was never published: this thread owns it.
            drop(unsafe { Box::from_raw(fresh) });
            // SAFETY: `winner` is `current`'s box, as in the `Ok` arm.
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
