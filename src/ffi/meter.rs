//! `otelmetrics_meter_*`: a meter makes instruments (see instruments.rs).

use super::handle::{handle, Handle};
use crate::provider::ScopedMeter;

/// A meter: one instrumentation scope of a provider. Thread-safe.
pub struct otelmetrics_meter {
    _private: [u8; 0],
}

handle!(otelmetrics_meter, std::sync::Arc<ScopedMeter>, 0x03);

/// Frees a meter. Instruments made from it stay valid. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_meter_free(meter: *mut otelmetrics_meter) {
    super::guard_value((), || otelmetrics_meter::free(meter))
}
