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

/// A list of strings and the views of them (for key lists).
pub struct Strings {
    _owned: Vec<Vec<u8>>,
    pub views: Vec<otelmetrics_str>,
}

impl Strings {
    pub fn read(input: &mut Input, max: u8) -> Strings {
        let owned: Vec<Vec<u8>> = (0..input.count(max)).map(|_| input.bytes()).collect();
        let views = owned.iter().map(|b| view(b)).collect();
        Strings { _owned: owned, views }
    }
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

/// Attributes of every type tag, including tags outside the valid range.
pub struct Attributes {
    _keys: Vec<Vec<u8>>,
    _backing: Vec<Backing>,
    pub list: Vec<otelmetrics_attribute>,
}

impl Attributes {
    pub fn read(input: &mut Input, max: u8) -> Attributes {
        let n = input.count(max);
        let mut keys = Vec::with_capacity(n);
        let mut backing = Vec::with_capacity(n);
        let mut list = Vec::with_capacity(n);
        for _ in 0..n {
            let key = input.bytes();
            // Tags 0..=9: the eight valid ones and one invalid each side.
            let tag = match input.u8() {
                255 => input.u32(),
                b => (b % 10) as u32,
            };
            let (value, store) = read_value(input, tag);
            list.push(otelmetrics_attribute { key: view(&key), value_type: tag, value });
            keys.push(key);
            backing.push(store);
        }
        Attributes { _keys: keys, _backing: backing, list }
    }

    pub fn ptr(&self) -> *const otelmetrics_attribute {
        self.list.as_ptr()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }
}

fn array(ptr: *const c_void, len: usize) -> otelmetrics_value {
    otelmetrics_value { array: otelmetrics_array { ptr, len } }
}

fn read_value(input: &mut Input, tag: u32) -> (otelmetrics_value, Backing) {
    let n = |input: &mut Input| input.count(6);
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
            (array(s.views.as_ptr().cast(), s.views.len()), Backing::Strings(s))
        }
        OTELMETRICS_VALUE_BOOL_ARRAY => {
            let v: Vec<u8> = (0..n(input)).map(|_| input.u8()).collect();
            (array(v.as_ptr().cast(), v.len()), Backing::Bools(v))
        }
        OTELMETRICS_VALUE_INT64_ARRAY => {
            let v: Vec<i64> = (0..n(input)).map(|_| input.i64()).collect();
            (array(v.as_ptr().cast(), v.len()), Backing::Ints(v))
        }
        OTELMETRICS_VALUE_DOUBLE_ARRAY => {
            let v: Vec<f64> = (0..n(input)).map(|_| input.f64()).collect();
            (array(v.as_ptr().cast(), v.len()), Backing::Doubles(v))
        }
        // An unknown tag: the value's bytes must not be looked at.
        _ => (otelmetrics_value { int64: input.i64() }, Backing::None),
    }
}
