//! Observable (asynchronous) instruments and their callbacks, including
//! callbacks that report for several instruments at once (which the Rust
//! SDK no longer offers: they are built here on top of per-instrument
//! callbacks).
//!
//! How a multi-instrument callback works: when the SDK collects any of its
//! instruments and that instrument has no fresh observations waiting, the
//! callback runs once and its observations are sorted into one slot per
//! instrument; each instrument then drains its own slot as the SDK collects
//! it. So the callback runs once per collection, whichever instrument the
//! SDK asks first.

use super::{validate_instrument_name, validate_unit, InstrumentSpec};
use crate::error::{Error, Result};
use crate::limits::AttributeLimits;
use crate::process::fork_safe::{Lock, UserCode};
use crate::process::reentrancy::{refuse_in_callback, InCallback};
use crate::provider::{Lifecycle, ScopedMeter};
use crate::views::apply_deny_list;
use opentelemetry::metrics::{AsyncInstrument, Meter};
use opentelemetry::KeyValue;
use std::cell::Cell;
use std::collections::HashMap;
use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A measurement of any of the three value types.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    U64(u64),
    I64(i64),
    F64(f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    U64,
    I64,
    F64,
}

impl Number {
    fn value_type(self) -> ValueType {
        match self {
            Number::U64(_) => ValueType::U64,
            Number::I64(_) => ValueType::I64,
            Number::F64(_) => ValueType::F64,
        }
    }
}

/// The seven observable kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObservableKind {
    CounterU64,
    CounterF64,
    UpDownCounterI64,
    UpDownCounterF64,
    GaugeU64,
    GaugeI64,
    GaugeF64,
}

impl ObservableKind {
    fn view_kind(self) -> crate::views::Kind {
        use ObservableKind::*;
        match self {
            CounterU64 | CounterF64 => crate::views::Kind::ObservableCounter,
            UpDownCounterI64 | UpDownCounterF64 => crate::views::Kind::ObservableUpDownCounter,
            GaugeU64 | GaugeI64 | GaugeF64 => crate::views::Kind::ObservableGauge,
        }
    }

    pub fn value_type(self) -> ValueType {
        use ObservableKind::*;
        match self {
            CounterU64 | GaugeU64 => ValueType::U64,
            UpDownCounterI64 | GaugeI64 => ValueType::I64,
            CounterF64 | UpDownCounterF64 | GaugeF64 => ValueType::F64,
        }
    }

    /// Observable counters report monotonic totals: never negative.
    fn check(self, n: Number) -> Result<()> {
        if n.value_type() != self.value_type() {
            return Err(Error::argument(format!(
                "this instrument takes {:?} values, not {:?} (use the observe function of its type)",
                self.value_type(),
                n.value_type()
            )));
        }
        if let Number::U64(v) = n {
            // OTLP carries integer points as int64.
            if v > i64::MAX as u64 {
                return Err(Error::value(format!(
                    "observation {v} exceeds the largest integer OTLP carries; it was dropped"
                )));
            }
        }
        if let Number::F64(v) = n {
            if !v.is_finite() {
                return Err(Error::value(format!(
                    "observation {v} is not a finite number; it was dropped"
                )));
            }
            if self == ObservableKind::CounterF64 && v < 0.0 {
                return Err(Error::value(format!(
                    "an observable counter total cannot be negative ({v}); it was dropped"
                )));
            }
        }
        Ok(())
    }
}

/// What the application registers: called once per collection.
pub trait Callback: Send + Sync {
    fn call(&self, observer: &mut Observer<'_>);
}

/// Where one SDK collection of one instrument sends its observations.
enum TypedObserver<'a> {
    U64(&'a dyn AsyncInstrument<u64>),
    I64(&'a dyn AsyncInstrument<i64>),
    F64(&'a dyn AsyncInstrument<f64>),
}

impl TypedObserver<'_> {
    fn observe(&self, n: Number, attrs: &[KeyValue]) {
        match (self, n) {
            (TypedObserver::U64(s), Number::U64(v)) => s.observe(v, attrs),
            (TypedObserver::I64(s), Number::I64(v)) => s.observe(v, attrs),
            (TypedObserver::F64(s), Number::F64(v)) => s.observe(v, attrs),
            _ => {} // prevented by ObservableKind::check
        }
    }
}

/// Handed to a callback for the duration of one call.
pub struct Observer<'a> {
    target: Target<'a>,
}

enum Target<'a> {
    /// A single-instrument callback: observations go straight to the SDK.
    Own { state: &'a State, sink: &'a TypedObserver<'a> },
    /// A multi-instrument callback: observations are sorted by instrument.
    Many { instruments: &'a [Arc<State>], buffer: Vec<(usize, Number, Vec<KeyValue>)> },
}

impl Observer<'_> {
    /// Observes for the instrument the callback belongs to.
    pub fn observe(&mut self, n: Number, attrs: Vec<KeyValue>) -> Result<()> {
        match &mut self.target {
            Target::Own { state, sink } => {
                state.kind.check(n)?;
                sink.observe(n, &state.filtered(attrs));
                Ok(())
            }
            Target::Many { .. } => Err(Error::argument(
                "this callback was registered for several instruments: name the instrument (the *_for functions)",
            )),
        }
    }

    /// Observes for one of the instruments a multi-instrument callback was
    /// registered with.
    pub fn observe_for(
        &mut self,
        instrument: &ObservableInstrument,
        n: Number,
        attrs: Vec<KeyValue>,
    ) -> Result<()> {
        match &mut self.target {
            Target::Many { instruments, buffer } => {
                let Some(state) = instruments.iter().find(|s| s.id == instrument.state.id) else {
                    return Err(Error::argument(
                        "this instrument is not one the callback was registered for",
                    ));
                };
                state.kind.check(n)?;
                buffer.push((state.id, n, state.filtered(attrs)));
                Ok(())
            }
            Target::Own { .. } => Err(Error::argument(
                "a single-instrument callback observes with the functions without `_for`",
            )),
        }
    }
}

/// Runs an application callback with the reentrancy mark set; a panic
/// inside (a Rust callback) must not reach the SDK's collection. Foreign
/// code is never run inside this boundary: a C callback runs on a thread of
/// its own (`ffi::observables`), because a forced unwind (`pthread_exit`)
/// stopped by a `catch_unwind` aborts the process.
fn run_callback(callback: &dyn Callback, observer: &mut Observer<'_>) {
    let _mark = InCallback::enter();
    let _ = catch_unwind(AssertUnwindSafe(|| callback.call(observer)));
}

thread_local! {
    /// Set while the application's own thread collects (`read_json`).
    static ON_CALLERS_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// Runs `collect`, a collection the application makes on its own thread
/// (an in-memory read), so that callbacks run right here, as documented,
/// rather than on a thread of their own (see `on_callers_thread`).
pub fn collect_on_callers_thread<R>(collect: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            ON_CALLERS_THREAD.with(|c| c.set(self.0));
        }
    }
    let _reset = Reset(ON_CALLERS_THREAD.with(|c| c.replace(true)));
    collect()
}

/// Whether this thread is the application's, collecting for it: foreign
/// callbacks then run on it (the application's runtime expects them there,
/// e.g. Julia, whose garbage collector waits for a thread blocked in a
/// plain `ccall`); on the library's own threads they get a thread each.
pub fn on_callers_thread() -> bool {
    ON_CALLERS_THREAD.with(Cell::get)
}

static NEXT_ID: AtomicUsize = AtomicUsize::new(1);

struct State {
    id: usize,
    kind: ObservableKind,
    /// The instrument's own callback; `None` once unregistered, which
    /// waits for a running call. No lock is held while it runs: a process
    /// forked meanwhile must still collect.
    own: UserCode<dyn Callback>,
    multi: Lock<Vec<Arc<Registration>>>,
    denied: Option<Arc<HashSet<String>>>,
    limits: AttributeLimits,
}

impl State {
    /// View deny-lists and attribute limits.
    fn filtered(&self, attrs: Vec<KeyValue>) -> Vec<KeyValue> {
        let attrs = match &self.denied {
            Some(d) => apply_deny_list(d, attrs),
            None => attrs,
        };
        self.limits.apply(attrs)
    }

    fn collect(&self, sink: &TypedObserver<'_>) {
        self.own.call(|cb| {
            let mut observer = Observer { target: Target::Own { state: self, sink } };
            run_callback(cb, &mut observer);
        });
        let registrations = self.multi.lock().clone();
        for r in registrations {
            r.collect_for(self.id, sink);
        }
    }
}

/// An observable instrument (the SDK keeps the instrument itself).
pub struct ObservableInstrument {
    state: Arc<State>,
    lifecycle: Arc<Lifecycle>,
}

impl ObservableInstrument {
    pub fn new(
        meter: &Arc<ScopedMeter>,
        kind: ObservableKind,
        spec: &InstrumentSpec,
        callback: Option<Box<dyn Callback>>,
    ) -> Result<Self> {
        refuse_in_callback("creating an instrument")?;
        let lifecycle = meter.lifecycle().clone();
        if lifecycle.is_shut_down() {
            return Err(Error::shutdown());
        }
        validate_instrument_name(&spec.name)?;
        if let Some(u) = &spec.unit {
            validate_unit(u)?;
        }
        let state = Arc::new(State {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            kind,
            own: UserCode::with(callback.map(Arc::from)),
            multi: Lock::new(Vec::new()),
            denied: meter.denied_keys(
                &spec.name,
                kind.view_kind(),
                spec.unit.as_deref().unwrap_or(""),
            ),
            limits: *meter.provider.limits(),
        });
        register_with_sdk(meter.meter(), kind, spec, state.clone());
        // After a fork the child's new SDK must call this state too.
        let (scope, spec_again, weak) = (meter.scope.clone(), spec.clone(), Arc::downgrade(&state));
        meter.on_rebuild(Box::new(move |sdk| {
            if let Some(state) = weak.upgrade() {
                register_with_sdk(&scope.sdk_meter(sdk), kind, &spec_again, state);
            }
        }));
        Ok(ObservableInstrument { state, lifecycle })
    }

    pub fn kind(&self) -> ObservableKind {
        self.state.kind
    }

    pub fn lifecycle(&self) -> &Arc<Lifecycle> {
        &self.lifecycle
    }

    /// Removes the instrument's own callback (its user data is released
    /// once a running call has returned). Later collections report nothing
    /// for it unless a multi-instrument callback does.
    pub fn unregister(&self) -> Result<()> {
        refuse_in_callback("unregistering a callback")?;
        self.state.own.replace(None);
        Ok(())
    }
}

macro_rules! sdk_observable {
    ($meter:expr, $spec:expr, $state:expr, $ctor:ident, $variant:ident) => {{
        let state = $state;
        let mut b = $meter.$ctor($spec.name.clone());
        if let Some(d) = &$spec.description {
            b = b.with_description(d.clone());
        }
        if let Some(u) = &$spec.unit {
            b = b.with_unit(u.clone());
        }
        b.with_callback(move |obs| state.collect(&TypedObserver::$variant(obs))).build();
    }};
}

fn register_with_sdk(
    meter: &Meter,
    kind: ObservableKind,
    spec: &InstrumentSpec,
    state: Arc<State>,
) {
    use ObservableKind::*;
    match kind {
        CounterU64 => sdk_observable!(meter, spec, state, u64_observable_counter, U64),
        CounterF64 => sdk_observable!(meter, spec, state, f64_observable_counter, F64),
        UpDownCounterI64 => {
            sdk_observable!(meter, spec, state, i64_observable_up_down_counter, I64)
        }
        UpDownCounterF64 => {
            sdk_observable!(meter, spec, state, f64_observable_up_down_counter, F64)
        }
        GaugeU64 => sdk_observable!(meter, spec, state, u64_observable_gauge, U64),
        GaugeI64 => sdk_observable!(meter, spec, state, i64_observable_gauge, I64),
        GaugeF64 => sdk_observable!(meter, spec, state, f64_observable_gauge, F64),
    }
}

/// Observations of one run waiting for their instrument to be collected.
#[derive(Default)]
struct Slot {
    fresh: bool,
    points: Vec<(Number, Vec<KeyValue>)>,
}

/// A callback registered for several instruments.
pub struct Registration {
    callback: UserCode<dyn Callback>,
    states: Vec<Arc<State>>,
    slots: Lock<HashMap<usize, Slot>>,
}

impl Registration {
    pub fn register(
        instruments: &[&ObservableInstrument],
        callback: Box<dyn Callback>,
    ) -> Result<Arc<Registration>> {
        refuse_in_callback("registering a callback")?;
        if instruments.is_empty() {
            return Err(Error::argument(
                "a callback must be registered for at least one instrument",
            ));
        }
        if instruments.iter().any(|i| i.lifecycle.is_shut_down()) {
            return Err(Error::shutdown());
        }
        let reg = Arc::new(Registration {
            callback: UserCode::with(Some(Arc::from(callback))),
            states: instruments.iter().map(|i| i.state.clone()).collect(),
            slots: Lock::new(HashMap::new()),
        });
        for s in &reg.states {
            s.multi.lock().push(reg.clone());
        }
        Ok(reg)
    }

    fn collect_for(&self, id: usize, sink: &TypedObserver<'_>) {
        let needs_run = !self.slots.lock().get(&id).is_some_and(|s| s.fresh);
        if needs_run {
            let ran = self.callback.call(|cb| {
                let mut observer = Observer {
                    target: Target::Many { instruments: &self.states, buffer: Vec::new() },
                };
                run_callback(cb, &mut observer);
                observer.target
            });
            let Some(Target::Many { buffer, .. }) = ran else { return };
            let mut slots = self.slots.lock();
            for s in &self.states {
                slots.insert(s.id, Slot { fresh: true, points: Vec::new() });
            }
            for (inst, n, attrs) in buffer {
                slots.entry(inst).or_default().points.push((n, attrs));
            }
        }
        let points = {
            let mut slots = self.slots.lock();
            let slot = slots.entry(id).or_default();
            slot.fresh = false;
            std::mem::take(&mut slot.points)
        };
        for (n, attrs) in points {
            sink.observe(n, &attrs);
        }
    }

    /// Stops the callback (waiting for a running call) and releases it.
    pub fn unregister(self: &Arc<Self>) -> Result<()> {
        refuse_in_callback("unregistering a callback")?;
        self.callback.replace(None);
        for s in &self.states {
            s.multi.lock().retain(|r| !Arc::ptr_eq(r, self));
        }
        Ok(())
    }
}
