//! Reads fuzz bytes as a stream of small decisions. Running out of bytes is
//! not an error: every read then yields zero/empty, so any input is valid
//! and short inputs still reach every call.

pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Input { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn u8(&mut self) -> u8 {
        let (first, rest) = self.data.split_first().map(|(b, r)| (*b, r)).unwrap_or((0, &[]));
        self.data = rest;
        first
    }

    pub fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let n = N.min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        out
    }

    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.array())
    }

    pub fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.array())
    }

    pub fn i64(&mut self) -> i64 {
        i64::from_le_bytes(self.array())
    }

    pub fn f64(&mut self) -> f64 {
        f64::from_le_bytes(self.array())
    }

    /// A small count in `0..=max`.
    pub fn count(&mut self, max: u8) -> usize {
        (self.u8() % (max + 1)) as usize
    }

    /// The length of an array of `element_size`-byte elements: a small
    /// count in `0..=max`, or, for the byte 255, a length no object can
    /// have (its size in bytes exceeds `isize::MAX`, as a C caller's
    /// wrapped-around arithmetic makes it), which the library must refuse
    /// before reading anything.
    pub fn length(&mut self, max: u8, element_size: usize) -> Length {
        match self.u8() {
            255 => Length::Absurd(self.absurd(element_size)),
            b => Length::Real((b % (max + 1)) as usize),
        }
    }

    /// A length whose size in bytes exceeds `isize::MAX` for elements of
    /// `element_size` bytes: `SIZE_MAX`, the smallest such length, or one
    /// in between.
    pub fn absurd(&mut self, element_size: usize) -> usize {
        let smallest = isize::MAX as usize / element_size + 1;
        match self.u8() % 3 {
            0 => usize::MAX,
            1 => smallest,
            _ => smallest.saturating_add((self.u64() as usize) % (usize::MAX - smallest + 1)),
        }
    }

    /// Raw bytes (maybe not UTF-8), length-prefixed by one byte; a prefix of
    /// 255 takes a longer run (up to 4 KiB) to reach length limits.
    pub fn bytes(&mut self) -> Vec<u8> {
        let len = match self.u8() {
            255 => (self.u32() % 4096) as usize,
            n => n as usize,
        };
        let n = len.min(self.data.len());
        let (taken, rest) = self.data.split_at(n);
        self.data = rest;
        taken.to_vec()
    }
}

/// An array length read from the input.
#[derive(Clone, Copy, Debug)]
pub enum Length {
    /// This many elements exist.
    Real(usize),
    /// One element exists; this length is what the library is told.
    Absurd(usize),
}

impl Length {
    /// How many elements to build (one behind an absurd length, so the
    /// pointer is valid and only the length is wrong).
    pub fn elements(self) -> usize {
        match self {
            Length::Real(n) => n,
            Length::Absurd(_) => 1,
        }
    }

    /// The length to pass for `built` elements.
    pub fn given(self, built: usize) -> usize {
        match self {
            Length::Real(_) => built,
            Length::Absurd(n) => n,
        }
    }
}
