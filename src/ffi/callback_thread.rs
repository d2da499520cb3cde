//! A thread of its own for the application's observable callbacks, one per
//! library thread that collects (a periodic reader's export thread, a
//! shutdown's helper, a Prometheus scrape), started at its first callback
//! and ended with it.
//!
//! Why: a runtime may end the thread its callback runs on. CPython does, at
//! interpreter exit, to a thread that comes back into Python after it has
//! finalised (`pthread_exit`). That is a forced unwind; glibc aborts the
//! process when a `catch_unwind` stops it, and every `std::thread` (the
//! SDK's export threads among them) starts with one. So callbacks run on a
//! plain pthread with no panic boundary on its stack (its start routine
//! and the callback type are `extern "C-unwind"`): a forced unwind ends
//! that thread only, after its destructors, and the collecting thread,
//! which waits for the call, goes on (the next call starts a new thread).

use std::cell::RefCell;
use std::ffi::c_void;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

/// The call the collecting thread hands over, valid until it sees `Done`
/// or `Ended` (it waits for one of them before its borrow ends).
struct Job(*mut (dyn FnMut() + 'static));

// SAFETY: the pointer is only dereferenced on the runner thread while the
// thread that made it waits for the call to finish.
unsafe impl Send for Job {}

enum Slot {
    Idle,
    Job(Job),
    Done,
    /// The runner thread has ended (asked to, or ended under a callback).
    Ended,
    Quit,
}

struct Shared {
    slot: Mutex<Slot>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set(&self, slot: Slot) {
        *self.lock() = slot;
        self.changed.notify_all();
    }
}

struct Runner {
    thread: libc::pthread_t,
    shared: Arc<Shared>,
}

impl Runner {
    fn start() -> Option<Runner> {
        extern "C" {
            // libc's own declaration types the start routine `extern "C"`
            // (may not unwind); this one lets a forced unwind leave it.
            #[link_name = "pthread_create"]
            fn pthread_create_unwinding(
                thread: *mut libc::pthread_t,
                attr: *const libc::pthread_attr_t,
                start: extern "C-unwind" fn(*mut c_void) -> *mut c_void,
                arg: *mut c_void,
            ) -> libc::c_int;
        }
        let shared = Arc::new(Shared { slot: Mutex::new(Slot::Idle), changed: Condvar::new() });
        let arg = Arc::into_raw(shared.clone()).cast_mut().cast::<c_void>();
        let mut thread: libc::pthread_t = 0;
        // SAFETY: `run` has the signature pthread_create calls; `arg` is one
        // strong count of `shared`, which `run` takes over.
        if unsafe { pthread_create_unwinding(&mut thread, std::ptr::null(), run, arg) } != 0 {
            // SAFETY: the thread did not start: the count is still ours.
            drop(unsafe { Arc::from_raw(arg.cast_const().cast::<Shared>()) });
            return None;
        }
        Some(Runner { thread, shared })
    }

    /// Runs `f` there and waits. False when the thread had ended already,
    /// so `f` did not run; true when it ran (to its end, or until the
    /// thread ended under it).
    fn call(&self, f: &mut dyn FnMut()) -> bool {
        // SAFETY: only the lifetime is erased; `f` outlives the wait below,
        // after which the runner never touches it again.
        let job = Job(unsafe {
            std::mem::transmute::<*mut (dyn FnMut() + '_), *mut (dyn FnMut() + 'static)>(f)
        });
        let mut slot = self.shared.lock();
        if matches!(*slot, Slot::Ended) {
            return false;
        }
        *slot = Slot::Job(job);
        self.shared.changed.notify_all();
        loop {
            match *slot {
                Slot::Done => {
                    *slot = Slot::Idle;
                    return true;
                }
                Slot::Ended => return true,
                _ => slot = self.shared.changed.wait(slot).unwrap_or_else(PoisonError::into_inner),
            }
        }
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        {
            let mut slot = self.shared.lock();
            if !matches!(*slot, Slot::Ended) {
                *slot = Slot::Quit;
            }
        }
        self.shared.changed.notify_all();
        // SAFETY: the thread was started by `start` and is joined once;
        // it ends at `Quit`, or has ended already.
        unsafe { libc::pthread_join(self.thread, std::ptr::null_mut()) };
    }
}

/// Marks the runner ended however its thread ends: by returning, or by a
/// forced unwind out of a callback (destructors run during one).
struct MarkEnded(Arc<Shared>);

impl Drop for MarkEnded {
    fn drop(&mut self) {
        self.0.set(Slot::Ended);
    }
}

extern "C-unwind" fn run(arg: *mut c_void) -> *mut c_void {
    // SAFETY: `arg` is the strong count `Runner::start` handed over.
    let ended = MarkEnded(unsafe { Arc::from_raw(arg.cast_const().cast::<Shared>()) });
    let shared = &ended.0;
    loop {
        let job = {
            let mut slot = shared.lock();
            loop {
                match std::mem::replace(&mut *slot, Slot::Idle) {
                    Slot::Job(job) => break job,
                    Slot::Quit => return std::ptr::null_mut(),
                    other => {
                        *slot = other;
                        slot = shared.changed.wait(slot).unwrap_or_else(PoisonError::into_inner);
                    }
                }
            }
        };
        // SAFETY: see `Job`: the caller waits until `Done` is set below.
        unsafe { (*job.0)() };
        shared.set(Slot::Done);
    }
}

thread_local! {
    static RUNNER: RefCell<Option<Runner>> = const { RefCell::new(None) };
}

/// Runs `f` on this thread's callback thread and returns when it has
/// returned, or when the thread ended under it. Where no thread can be had
/// (none can be started, or this thread is ending), `f` runs here.
pub(crate) fn run_on_callback_thread(f: &mut dyn FnMut()) {
    let handed_over = RUNNER.try_with(|cell| {
        let Ok(mut runner) = cell.try_borrow_mut() else { return false };
        if runner.is_none() {
            *runner = Runner::start();
        }
        let Some(r) = runner.as_ref() else { return false };
        let ran = r.call(f);
        if matches!(*r.shared.lock(), Slot::Ended) {
            // It ended (under this call, or before it): reap it; the next
            // call starts another.
            *runner = None;
        }
        ran
    });
    if !handed_over.unwrap_or(false) {
        f();
    }
}
