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
