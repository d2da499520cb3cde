//! Locks, user-code slots and one-time state that a forked child can rely
//! on, whatever the parent's threads were doing at the moment of `fork()`.
//!
//! A child has only the thread that forked. A lock another thread held at
//! that moment stays locked in the child forever, and a one-time initialiser
//! another thread was running stays "running" forever. So:
//!
//! - [`Lock`] guards short sections that never run user code or block on
//!   I/O. The fork handler (`before_fork`, installed by `fork.rs`) waits for
//!   every such section in progress to end and holds new ones back until
//!   the fork is done: no `Lock` is ever held, nor its data half-updated,
//!   in a child.
//! - [`UserCode`] holds application code (callbacks, the diagnostics hook)
//!   and calls it one thread at a time with no lock held: whose turn it is
//!   is an atomic that names the process generation, so a call that was
//!   running in the parent at the fork is nobody's turn in the child, where
//!   its thread does not exist. Replacing the code waits for a running call.
//! - `fork::Lazy` is one-time state without a one-time lock: built for the
//!   current process generation, so a child rebuilds what the parent had,
//!   or was still building, at the fork.
//! - [`write_fd`] writes to stdout or stderr without std's process-wide
//!   locks on them.

use super::fork::{self, generation};
use std::cell::Cell;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Short sections running now, in every thread.
static IN_SECTION: AtomicUsize = AtomicUsize::new(0);
/// Set while a fork is under way: new sections wait.
static FORKING: AtomicBool = AtomicBool::new(false);
/// How long a fork waits for sections to end. They take microseconds; this
/// only bounds a thread stopped mid-section (a debugger, SIGSTOP), after
/// which the fork goes ahead as it always did.
const FORK_WAIT: Duration = Duration::from_secs(1);

thread_local! {
    /// Sections this thread is inside (a nested one never waits).
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Membership in the set of short sections, until dropped.
struct Section(());

impl Section {
    fn enter() -> Section {
        fork::install_handler();
        if DEPTH.with(|d| d.replace(d.get() + 1)) == 0 {
            loop {
                while FORKING.load(Ordering::SeqCst) {
                    std::thread::yield_now();
                }
                IN_SECTION.fetch_add(1, Ordering::SeqCst);
                if !FORKING.load(Ordering::SeqCst) {
                    break;
                }
                IN_SECTION.fetch_sub(1, Ordering::SeqCst);
            }
        }
        Section(())
    }
}

impl Drop for Section {
    fn drop(&mut self) {
        if DEPTH.with(|d| d.replace(d.get() - 1)) == 1 {
            IN_SECTION.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// The fork handler's first half, in the forking thread before the fork.
pub(super) extern "C" fn before_fork() {
    FORKING.store(true, Ordering::SeqCst);
    let deadline = Instant::now() + FORK_WAIT;
    while IN_SECTION.load(Ordering::SeqCst) != 0 && Instant::now() < deadline {
        std::thread::yield_now();
    }
}

/// The fork handler's second half, in the parent after the fork.
pub(super) extern "C" fn after_fork_in_parent() {
    FORKING.store(false, Ordering::SeqCst);
}

/// The fork handler's second half, in the child: the sections of the
/// parent's other threads are not the child's.
pub(super) fn after_fork_in_child() {
    IN_SECTION.store(0, Ordering::SeqCst);
    FORKING.store(false, Ordering::SeqCst);
}

/// A mutex for short sections (no user code, no blocking I/O inside): never
/// held in a forked child (see the module notes).
pub struct Lock<T> {
    inner: Mutex<T>,
}

pub struct LockGuard<'a, T> {
    // Declared first: unlocked before the section ends.
    guard: MutexGuard<'a, T>,
    _section: Section,
}

impl<T> Lock<T> {
    pub const fn new(value: T) -> Self {
        Lock { inner: Mutex::new(value) }
    }

    pub fn lock(&self) -> LockGuard<'_, T> {
        let section = Section::enter();
        LockGuard { guard: self.inner.lock().unwrap_or_else(|e| e.into_inner()), _section: section }
    }
}

impl<T> Deref for LockGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T> DerefMut for LockGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

/// Whose turn it is to run one piece of user code: 0 for no one, else the
/// process generation + 1 of the thread running it. A turn taken in an
/// earlier generation belongs to a thread a forked child does not have, so
/// there it counts as no one's.
struct Turn(AtomicU64);

impl Turn {
    const fn new() -> Self {
        Turn(AtomicU64::new(0))
    }

    /// Waits for the turn and takes it; returns what `give_back` needs.
    /// Polls (with a growing pause): a condition variable would need a lock
    /// a fork can leave held.
    fn take(&self) -> u64 {
        let mine = generation() + 1;
        let mut pause = Duration::from_micros(20);
        loop {
            let now = self.0.load(Ordering::SeqCst);
            if now != mine {
                if self.0.compare_exchange(now, mine, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
                    return mine;
                }
                continue;
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(5));
        }
    }

    fn give_back(&self, taken: u64) {
        // A no-op for a turn taken before a fork, in the child.
        let _ = self.0.compare_exchange(taken, 0, Ordering::SeqCst, Ordering::SeqCst);
    }
}

/// Application code (a callback, a hook): called by one thread at a time,
/// with no lock held, so a fork while it runs leaves nothing held in the
/// child.
pub struct UserCode<T: ?Sized> {
    current: Lock<Option<Arc<T>>>,
    turn: Turn,
}

impl<T: ?Sized> Default for UserCode<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: ?Sized> UserCode<T> {
    pub const fn new() -> Self {
        UserCode { current: Lock::new(None), turn: Turn::new() }
    }

    pub fn with(code: Option<Arc<T>>) -> Self {
        UserCode { current: Lock::new(code), turn: Turn::new() }
    }

    /// Calls `f` with the code, if there is any, once no other call runs.
    pub fn call<R>(&self, f: impl FnOnce(&T) -> R) -> Option<R> {
        let taken = self.turn.take();
        let code = self.current.lock().clone();
        let result = code.as_deref().map(f);
        drop(code);
        self.turn.give_back(taken);
        result
    }

    /// Puts `code` in place, waits for a running call (of this process
    /// generation) to return, then drops the old code, so its destructor
    /// runs here, after its last call.
    pub fn replace(&self, code: Option<Arc<T>>) {
        let old = std::mem::replace(&mut *self.current.lock(), code);
        self.turn.give_back(self.turn.take());
        drop(old);
    }
}

/// Writes all of `bytes` to file descriptor `fd` (1 or 2) directly: std's
/// stdout and stderr handles take a process-wide lock, which a child forked
/// while another thread was writing would find held forever.
pub fn write_fd(fd: i32, mut bytes: &[u8]) -> std::io::Result<()> {
    while !bytes.is_empty() {
        // SAFETY: `bytes` is a valid slice for its length.
        let n = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
        if n >= 0 {
            bytes = &bytes[n as usize..];
            continue;
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn replace_waits_for_a_running_call_and_then_drops_the_old_code() {
        struct Code(Arc<AtomicUsize>);
        impl Drop for Code {
            fn drop(&mut self) {
                self.0.store(2, Ordering::SeqCst);
            }
        }
        let state = Arc::new(AtomicUsize::new(0));
        let slot = Arc::new(UserCode::with(Some(Arc::new(Code(state.clone())))));
        let (entered_tx, entered_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let caller = {
            let slot = slot.clone();
            std::thread::spawn(move || {
                slot.call(|code| {
                    entered_tx.send(()).unwrap();
                    release_rx.recv().unwrap();
                    code.0.store(1, Ordering::SeqCst);
                })
            })
        };
        entered_rx.recv().unwrap();
        let replacer = {
            let slot = slot.clone();
            std::thread::spawn(move || slot.replace(None))
        };
        release_tx.send(()).unwrap();
        replacer.join().unwrap();
        // The call finished (1) before the destructor ran (2).
        assert_eq!(state.load(Ordering::SeqCst), 2);
        assert!(caller.join().unwrap().is_some());
        assert!(slot.call(|_| ()).is_none(), "not called once replaced by nothing");
    }

    #[test]
    fn calls_run_one_at_a_time() {
        let inside = Arc::new(AtomicUsize::new(0));
        let slot = Arc::new(UserCode::with(Some(Arc::new(()))));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (slot, inside) = (slot.clone(), inside.clone());
                std::thread::spawn(move || {
                    for _ in 0..200 {
                        slot.call(|_| {
                            assert_eq!(
                                inside.fetch_add(1, Ordering::SeqCst),
                                0,
                                "another call was running"
                            );
                            std::thread::yield_now();
                            inside.fetch_sub(1, Ordering::SeqCst);
                        });
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
    }
}
