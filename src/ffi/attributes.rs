//! C strings and attributes in, Rust values out; plus the exact byte
//! encoding of a call's attributes that keys the bound-series cache.

use super::handle::{handle, Handle};
use super::*;
use crate::error::{status, Error, Result};
use opentelemetry::{Array, Key, KeyValue, StringValue, Value};
use std::mem::MaybeUninit;
use std::sync::Arc;

/// Borrows a string view as `&str`, checking its length, NULL and UTF-8.
pub(crate) unsafe fn str_arg<'a>(s: otelmetrics_str, what: &str) -> Result<&'a str> {
    let bytes = slice_arg(s.ptr as *const u8, s.len, format_args!("the {what}"))?;
    std::str::from_utf8(bytes).map_err(|e| {
        Error::new(
            status::INVALID_UTF8,
            format!("the {what} is not valid UTF-8 (at byte {})", e.valid_up_to()),
        )
    })
}

/// Like [`str_arg`], with the empty string meaning "not given".
pub(crate) unsafe fn opt_str_arg(s: otelmetrics_str, what: &str) -> Result<Option<String>> {
    let v = str_arg(s, what)?;
    Ok((!v.is_empty()).then(|| v.to_owned()))
}

/// Borrows `count` elements at `ptr` from C: the one place a C
/// (pointer, length) pair becomes a slice. Before anything is read it
/// refuses a length no object can have, whose size in bytes exceeds
/// `isize::MAX` or whose range would wrap around the address space (C's
/// arithmetic bugs make them: `n - 1` with `n == 0` is `SIZE_MAX`), as
/// `slice::from_raw_parts` requires; then a NULL pointer with a non-zero
/// length.
#[inline]
pub(crate) unsafe fn slice_arg<'a, T>(
    ptr: *const T,
    count: usize,
    what: impl std::fmt::Display,
) -> Result<&'a [T]> {
    if !c_array(ptr, count, what)? {
        return Ok(&[]);
    }
    Ok(std::slice::from_raw_parts(ptr, count))
}

/// The out-parameter twin of [`slice_arg`]: a caller's buffer of
/// `capacity` elements at `ptr`, refused for the same lengths and a NULL
/// pointer with a non-zero capacity; never read (its elements may be
/// uninitialised), only written.
pub(crate) unsafe fn buffer_out<'a, T>(
    ptr: *mut T,
    capacity: usize,
    what: impl std::fmt::Display,
) -> Result<&'a mut [MaybeUninit<T>]> {
    if !c_array(ptr, capacity, what)? {
        return Ok(&mut []);
    }
    Ok(std::slice::from_raw_parts_mut(ptr as *mut MaybeUninit<T>, capacity))
}

/// What [`slice_arg`] and [`buffer_out`] check of a (pointer, length) pair:
/// a length no object can have, then NULL with a non-zero length. True when
/// there are elements to reach through `ptr`.
#[inline(always)]
fn c_array<T>(ptr: *const T, count: usize, what: impl std::fmt::Display) -> Result<bool> {
    let size = std::mem::size_of::<T>().max(1);
    if count > isize::MAX as usize / size || (ptr as usize).checked_add(count * size).is_none() {
        return Err(absurd_length(what, count, size));
    }
    if count == 0 {
        return Ok(false);
    }
    if ptr.is_null() {
        return Err(Error::new(
            status::NULL_POINTER,
            format!("{what} has a NULL pointer and length {count}"),
        ));
    }
    Ok(true)
}

#[cold]
fn absurd_length(what: impl std::fmt::Display, count: usize, size: usize) -> Error {
    Error::argument(format!(
        "{what} has length {count}, which no object can have ({count} elements of {size} bytes exceed \
         PTRDIFF_MAX bytes or the address space); nothing was read (a negative or wrapped-around length?)"
    ))
}

fn bad_tag(key: &str, tag: u32) -> Error {
    Error::argument(format!(
        "attribute `{key}` has unknown value type tag {tag} (expected 1..=8, OTELMETRICS_VALUE_*)"
    ))
}

unsafe fn strings(arr: otelmetrics_array, key: &str) -> Result<Vec<StringValue>> {
    let items = slice_arg(arr.ptr as *const otelmetrics_str, arr.len, "a string array attribute")?;
    items
        .iter()
        .map(|s| {
            str_arg(*s, &format!("string array element of attribute `{key}`"))
                .map(|v| StringValue::from(shared(v)))
        })
        .collect()
}

/// NaN equals nothing, itself included: as an attribute value it would make
/// a new series on every call (and OTLP JSON cannot carry it).
fn not_nan(v: f64, key: &str) -> Result<f64> {
    if v.is_nan() {
        return Err(Error::argument(format!(
            "attribute `{key}` is NaN, which cannot identify a series"
        )));
    }
    Ok(v)
}

/// Converts one attribute, validating everything.
unsafe fn convert_one(a: &otelmetrics_attribute) -> Result<KeyValue> {
    let key = str_arg(a.key, "attribute key")?;
    if key.is_empty() {
        return Err(Error::argument("an attribute key is empty"));
    }
    let what = || format!("value of attribute `{key}`");
    let value = match a.value_type {
        OTELMETRICS_VALUE_STRING => Value::from(shared(str_arg(a.value.string, &what())?)),
        OTELMETRICS_VALUE_BOOL => Value::Bool(a.value.boolean != 0),
        OTELMETRICS_VALUE_INT64 => Value::I64(a.value.int64),
        OTELMETRICS_VALUE_DOUBLE => Value::F64(not_nan(a.value.float64, key)?),
        OTELMETRICS_VALUE_STRING_ARRAY => Value::Array(Array::String(strings(a.value.array, key)?)),
        OTELMETRICS_VALUE_BOOL_ARRAY => {
            let v = slice_arg(a.value.array.ptr as *const u8, a.value.array.len, what())?;
            Value::Array(Array::Bool(v.iter().map(|b| *b != 0).collect()))
        }
        OTELMETRICS_VALUE_INT64_ARRAY => Value::Array(Array::I64(
            slice_arg(a.value.array.ptr as *const i64, a.value.array.len, what())?.to_vec(),
        )),
        OTELMETRICS_VALUE_DOUBLE_ARRAY => {
            let values = slice_arg(a.value.array.ptr as *const f64, a.value.array.len, what())?;
            Value::Array(Array::F64(
                values.iter().map(|v| not_nan(*v, key)).collect::<Result<_>>()?,
            ))
        }
        tag => return Err(bad_tag(key, tag)),
    };
    Ok(KeyValue::new(Key::from(shared(key)), value))
}

/// Attribute strings are reference-counted: the SDK copies a series'
/// attributes into every collection (and keeps more than one copy per
/// series), and a copy of an `Arc<str>` costs no allocation.
fn shared(s: &str) -> Arc<str> {
    Arc::from(s)
}

/// Converts a C attribute array, validating every tag, pointer and string.
pub(crate) unsafe fn convert(
    attrs: *const otelmetrics_attribute,
    count: usize,
) -> Result<Vec<KeyValue>> {
    slice_arg(attrs, count, "the attribute array")?.iter().map(|a| convert_one(a)).collect()
}

/// Where an encoding goes: a fixed stack buffer (hot path) or a `Vec`.
pub(crate) trait KeyEncoder {
    /// Appends; false when it does not fit.
    fn put(&mut self, bytes: &[u8]) -> bool;
}

impl KeyEncoder for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) -> bool {
        self.extend_from_slice(bytes);
        true
    }
}

/// A stack buffer for the encoding of one call's attributes.
pub(crate) struct StackKey {
    buf: [MaybeUninit<u8>; 512],
    len: usize,
}

impl StackKey {
    #[inline]
    pub(crate) fn new() -> Self {
        StackKey { buf: [MaybeUninit::uninit(); 512], len: 0 }
    }
    #[inline]
    pub(crate) fn as_bytes(&self) -> &[u8] {
        // SAFETY: the first `len` bytes of `buf` were written by `put`.
        unsafe { std::slice::from_raw_parts(self.buf.as_ptr() as *const u8, self.len) }
    }
}

impl KeyEncoder for StackKey {
    #[inline]
    fn put(&mut self, bytes: &[u8]) -> bool {
        if bytes.len() > self.buf.len() - self.len {
            return false;
        }
        // SAFETY: the check above leaves room for `bytes` after `len`;
        // `bytes` is a distinct borrow, so the ranges do not overlap.
        unsafe {
            std::ptr::copy_nonoverlapping(
                bytes.as_ptr(),
                self.buf.as_mut_ptr().add(self.len) as *mut u8,
                bytes.len(),
            );
        }
        self.len += bytes.len();
        true
    }
}

#[inline]
unsafe fn put_bytes(sink: &mut impl KeyEncoder, s: otelmetrics_str, what: &str) -> Result<bool> {
    let bytes = slice_arg(s.ptr as *const u8, s.len, format_args!("the {what}"))?;
    Ok(sink.put(&(s.len as u64).to_le_bytes()) && sink.put(bytes))
}

#[inline]
unsafe fn put_array<T: Copy>(
    sink: &mut impl KeyEncoder,
    arr: otelmetrics_array,
    f: impl Fn(T) -> [u8; 8],
) -> Result<bool> {
    let items = slice_arg(arr.ptr as *const T, arr.len, "an array attribute")?;
    let mut ok = sink.put(&(items.len() as u64).to_le_bytes());
    for item in items {
        ok = ok && sink.put(&f(*item));
    }
    Ok(ok)
}

/// Encodes attributes exactly (type tags, lengths, bytes) so equal
/// encodings mean equal attributes. Checks tags and NULL pointers but not
/// UTF-8: a cache hit means these very bytes were validated before.
/// Ok(false) when the encoding does not fit the sink.
#[inline]
pub(crate) unsafe fn encode(
    sink: &mut impl KeyEncoder,
    attrs: &[otelmetrics_attribute],
) -> Result<bool> {
    for a in attrs {
        let tag = a.value_type;
        if !(OTELMETRICS_VALUE_STRING..=OTELMETRICS_VALUE_DOUBLE_ARRAY).contains(&tag) {
            let key = slice_arg(a.key.ptr as *const u8, a.key.len, "the attribute key")?;
            return Err(bad_tag(&String::from_utf8_lossy(key), tag));
        }
        let mut ok = sink.put(&[tag as u8]) && put_bytes(sink, a.key, "attribute key")?;
        ok = ok
            && match tag {
                OTELMETRICS_VALUE_STRING => {
                    put_bytes(sink, a.value.string, "string attribute value")?
                }
                OTELMETRICS_VALUE_BOOL => sink.put(&[(a.value.boolean != 0) as u8]),
                OTELMETRICS_VALUE_INT64 => sink.put(&a.value.int64.to_le_bytes()),
                OTELMETRICS_VALUE_DOUBLE => sink.put(&a.value.float64.to_bits().to_le_bytes()),
                OTELMETRICS_VALUE_STRING_ARRAY => {
                    let items = slice_arg(
                        a.value.array.ptr as *const otelmetrics_str,
                        a.value.array.len,
                        "a string array attribute",
                    )?;
                    let mut ok = sink.put(&(items.len() as u64).to_le_bytes());
                    for s in items {
                        ok = ok && put_bytes(sink, *s, "string array element")?;
                    }
                    ok
                }
                OTELMETRICS_VALUE_BOOL_ARRAY => {
                    put_array(sink, a.value.array, |b: u8| ((b != 0) as u64).to_le_bytes())?
                }
                OTELMETRICS_VALUE_INT64_ARRAY => {
                    put_array(sink, a.value.array, |v: i64| v.to_le_bytes())?
                }
                _ => put_array(sink, a.value.array, |v: f64| v.to_bits().to_le_bytes())?,
            };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A pre-built, validated attribute set, reusable across calls and threads.
pub struct otelmetrics_attributes {
    _private: [u8; 0],
}

/// What an attribute set holds: the converted attributes and their
/// encoding (the cache key), both computed once.
pub struct AttributeSet {
    pub(crate) attributes: Vec<KeyValue>,
    pub(crate) key: Box<[u8]>,
}

handle!(otelmetrics_attributes, AttributeSet, 0x10);

/// Builds a reusable attribute set from `count` attributes (copied).
///
/// Recording with a set (`*_with_set` functions) skips converting and
/// validating attributes on every call. Free it with
/// `otelmetrics_attributes_free`; it may be shared between threads and
/// outlives nothing (instruments do not keep it).
///
/// Returns OK, NULL_POINTER, INVALID_UTF8 or INVALID_ARGUMENT (empty key,
/// unknown type tag). `*out` is written only on success.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_attributes_new(
    attributes: *const otelmetrics_attribute,
    count: usize,
    out: *mut *mut otelmetrics_attributes,
) -> otelmetrics_status {
    guard(|| {
        check_out(out, "out")?;
        let converted = convert(attributes, count)?;
        let mut key = Vec::new();
        encode(&mut key, slice_arg(attributes, count, "the attribute array")?)?;
        let set = AttributeSet { attributes: converted, key: key.into_boxed_slice() };
        write_out(out, otelmetrics_attributes::into_raw(set));
        Ok(())
    })
}

/// Frees an attribute set. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_attributes_free(set: *mut otelmetrics_attributes) {
    guard_value((), || otelmetrics_attributes::free(set))
}

/// Borrows a set argument; NULL means "no attributes".
pub(crate) unsafe fn set_arg<'a>(
    set: *const otelmetrics_attributes,
) -> Result<Option<&'a AttributeSet>> {
    if set.is_null() {
        return Ok(None);
    }
    otelmetrics_attributes::borrow(set).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An address no test may read: every case below must fail before a
    /// read, and a read of it would crash the test.
    const NEVER_READ: usize = 0x10;

    #[test]
    fn lengths_no_object_can_have_are_refused_before_any_read() {
        // SAFETY: every call must fail its length check before reading,
        // which is what the test asserts (a read would crash it).
        unsafe {
            for count in [usize::MAX, isize::MAX as usize + 1] {
                let e = slice_arg(NEVER_READ as *const u8, count, "the probe").unwrap_err();
                assert_eq!(e.status, status::INVALID_ARGUMENT);
                assert!(
                    e.message.contains(&format!("the probe has length {count}")),
                    "{}",
                    e.message
                );
            }
            for count in [usize::MAX, isize::MAX as usize / 8 + 1] {
                let e = slice_arg(NEVER_READ as *const f64, count, "the probe").unwrap_err();
                assert_eq!(e.status, status::INVALID_ARGUMENT, "{}", e.message);
            }
            // A range that wraps around the end of the address space.
            let e = slice_arg((usize::MAX - 7) as *const u8, 16, "the probe").unwrap_err();
            assert_eq!(e.status, status::INVALID_ARGUMENT);
            // NULL with an absurd length is an absurd length, too.
            let e = str_arg(otelmetrics_str { ptr: std::ptr::null(), len: usize::MAX }, "name")
                .unwrap_err();
            assert_eq!(e.status, status::INVALID_ARGUMENT);
        }
    }

    #[test]
    fn the_largest_possible_length_still_passes_the_check() {
        // isize::MAX / 8 doubles is exactly representable: the check must
        // let it through to the NULL check (which then fails).
        // SAFETY: a NULL pointer is refused before any read.
        let e = unsafe { slice_arg(std::ptr::null::<f64>(), isize::MAX as usize / 8, "the probe") }
            .unwrap_err();
        assert_eq!(e.status, status::NULL_POINTER);
    }
}
