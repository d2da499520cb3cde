//! SIGPIPE never reaches the host process from the library's threads.
//!
//! A write to a connection the peer has closed (a collector that hangs up
//! mid-request, a TLS server refusing a client, a scraper that disconnects)
//! raises SIGPIPE, whose default action kills the whole process. Rust
//! programs ignore it at startup; a C, Julia or Python host may not, and the
//! library must not change the host's signal dispositions. So every thread
//! the library owns blocks SIGPIPE in its own mask: the write then fails
//! with EPIPE, which the transports report as an export error. Threads that
//! the SDK spawns while a pipeline is assembled inherit the mask from
//! `with_blocked`.

use std::mem::MaybeUninit;
use std::ptr;

fn sigpipe_set() -> libc::sigset_t {
    // SAFETY: sigemptyset initialises the set before sigaddset reads it.
    unsafe {
        let mut set = MaybeUninit::<libc::sigset_t>::uninit();
        libc::sigemptyset(set.as_mut_ptr());
        libc::sigaddset(set.as_mut_ptr(), libc::SIGPIPE);
        set.assume_init()
    }
}

/// Blocks SIGPIPE for the calling thread (for threads the library owns).
pub fn block_in_this_thread() {
    let set = sigpipe_set();
    // SAFETY: changes only the calling thread's mask.
    unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, ptr::null_mut()) };
}

/// Runs `f` with SIGPIPE blocked on the calling thread, so that threads it
/// spawns inherit the block; the caller's mask is restored afterwards (a
/// SIGPIPE raised meanwhile on this thread is discarded first, so that
/// restoring the mask cannot deliver it).
pub fn with_blocked<T>(f: impl FnOnce() -> T) -> T {
    let set = sigpipe_set();
    let mut old = MaybeUninit::<libc::sigset_t>::uninit();
    // SAFETY: changes only the calling thread's mask; `old` is written by
    // pthread_sigmask before it is read.
    unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, old.as_mut_ptr()) };
    let result = f();
    // SAFETY: `old` was written by the pthread_sigmask above; the calls
    // change only this thread's mask and read nothing else.
    unsafe {
        let old = old.assume_init();
        if libc::sigismember(&old, libc::SIGPIPE) == 0 {
            discard_pending(&set);
        }
        libc::pthread_sigmask(libc::SIG_SETMASK, &old, ptr::null_mut());
    }
    result
}

/// Consumes a pending SIGPIPE of this thread, if any, without waiting.
unsafe fn discard_pending(set: &libc::sigset_t) {
    let mut pending = MaybeUninit::<libc::sigset_t>::uninit();
    libc::sigpending(pending.as_mut_ptr());
    if libc::sigismember(pending.as_ptr(), libc::SIGPIPE) == 1 {
        let zero = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        libc::sigtimedwait(set, ptr::null_mut(), &zero);
    }
}
