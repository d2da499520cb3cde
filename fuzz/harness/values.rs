//! C-shaped arguments (`otelmetrics_str`, attribute arrays) built from fuzz
//! bytes. The owners keep every byte alive while the raw pointers handed to
//! the library point into them.

use super::input::Input;
use otelmetrics::ffi::*;
use std::ffi::c_void;

/// A string view over bytes that live at least as long as the view's use.
pub fn view(bytes: &[u8]) -> otelmetrics_str {
    otelmetrics_str { ptr: bytes.as_ptr().cast(), len: bytes.len() }
}

/// A list of strings and the views of them (for key lists); `len` is the
/// length to pass, which may be absurd (see [`Input::length`]).
pub struct Strings {
    _owned: Vec<Vec<u8>>,
    pub views: Vec<otelmetrics_str>,
    pub len: usize,
}

impl Strings {
    pub fn read(input: &mut Input, max: u8) -> Strings {
        let length = input.length(max, std::mem::size_of::<otelmetrics_str>());
        let owned: Vec<Vec<u8>> = (0..length.elements()).map(|_| input.bytes()).collect();
        let views: Vec<otelmetrics_str> = owned.iter().map(|b| view(b)).collect();
        let len = length.given(views.len());
        Strings { _owned: owned, views, len }
    }
}

/// Numbers for an array argument (boundaries, array attribute values) and
/// the length to pass, which may be absurd (see [`Input::length`]).
pub fn numbers<T>(
    input: &mut Input,
    max: u8,
    mut read: impl FnMut(&mut Input) -> T,
) -> (Vec<T>, usize) {
    let length = input.length(max, std::mem::size_of::<T>());
    let values: Vec<T> = (0..length.elements()).map(|_| read(input)).collect();
    let len = length.given(values.len());
    (values, len)
}

/// Storage behind one attribute's value.
enum Backing {
    None,
    Bytes(Vec<u8>),
    Strings(Strings),
    Bools(Vec<u8>),
    Ints(Vec<i64>),
    Doubles(Vec<f64>),
}

/// Attributes of every type tag, including tags outside the valid range,
/// and lengths no object can have (of the list, a key, an array value).
pub struct Attributes {
    _keys: Vec<Vec<u8>>,
    _backing: Vec<Backing>,
    pub list: Vec<otelmetrics_attribute>,
    len: usize,
}

impl Attributes {
    pub fn read(input: &mut Input, max: u8) -> Attributes {
        let length = input.length(max, std::mem::size_of::<otelmetrics_attribute>());
        let n = length.elements();
        let mut keys = Vec::with_capacity(n);
        let mut backing = Vec::with_capacity(n);
        let mut list = Vec::with_capacity(n);
        for _ in 0..n {
            let key = input.bytes();
            let mut key_view = view(&key);
            // Tags 0..=9: the eight valid ones and one invalid each side;
            // 254 gives the key an absurd length.
            let tag = match input.u8() {
                255 => input.u32(),
                254 => {
                    key_view.len = input.absurd(1);
                    (input.u8() % 10) as u32
                }
                b => (b % 10) as u32,
            };
            let (value, store) = read_value(input, tag);
            list.push(otelmetrics_attribute { key: key_view, value_type: tag, value });
            keys.push(key);
            backing.push(store);
        }
        let len = length.given(list.len());
        Attributes { _keys: keys, _backing: backing, list, len }
    }

    pub fn ptr(&self) -> *const otelmetrics_attribute {
        self.list.as_ptr()
    }

    /// The length to pass (may be absurd).
    pub fn len(&self) -> usize {
        self.len
    }
}

fn array(ptr: *const c_void, len: usize) -> otelmetrics_value {
    otelmetrics_value { array: otelmetrics_array { ptr, len } }
}

fn read_value(input: &mut Input, tag: u32) -> (otelmetrics_value, Backing) {
    match tag {
        OTELMETRICS_VALUE_STRING => {
            let bytes = input.bytes();
            (otelmetrics_value { string: view(&bytes) }, Backing::Bytes(bytes))
        }
        OTELMETRICS_VALUE_BOOL => (otelmetrics_value { boolean: input.u8() }, Backing::None),
        OTELMETRICS_VALUE_INT64 => (otelmetrics_value { int64: input.i64() }, Backing::None),
        OTELMETRICS_VALUE_DOUBLE => (otelmetrics_value { float64: input.f64() }, Backing::None),
        OTELMETRICS_VALUE_STRING_ARRAY => {
            let s = Strings::read(input, 6);
            (array(s.views.as_ptr().cast(), s.len), Backing::Strings(s))
        }
        OTELMETRICS_VALUE_BOOL_ARRAY => {
            let (v, len) = numbers(input, 6, |i| i.u8());
            (array(v.as_ptr().cast(), len), Backing::Bools(v))
        }
        OTELMETRICS_VALUE_INT64_ARRAY => {
            let (v, len) = numbers(input, 6, |i| i.i64());
            (array(v.as_ptr().cast(), len), Backing::Ints(v))
        }
        OTELMETRICS_VALUE_DOUBLE_ARRAY => {
            let (v, len) = numbers(input, 6, |i| i.f64());
            (array(v.as_ptr().cast(), len), Backing::Doubles(v))
        }
        // An unknown tag: the value's bytes must not be looked at.
        _ => (otelmetrics_value { int64: input.i64() }, Backing::None),
    }
}
