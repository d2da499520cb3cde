//! A per-instrument map from an exact encoding of a call's attributes to the
//! SDK's bound handle for that series. A hit records with no allocation and
//! no attribute conversion; this is what lets attributes passed per call from
//! C cost less than the native SDK's own unbound path.

use foldhash::fast::RandomState;
use std::collections::HashMap;
use std::sync::RwLock;

/// Series beyond this many per instrument take the uncached path, so the
/// cache's memory is bounded whatever the application throws at it.
pub(crate) const CAPACITY: usize = 2048;

pub struct BoundCache<B> {
    map: RwLock<HashMap<Box<[u8]>, B, RandomState>>,
}

impl<B> Default for BoundCache<B> {
    fn default() -> Self {
        Self::new()
    }
}

impl<B> BoundCache<B> {
    pub fn new() -> Self {
        BoundCache { map: RwLock::new(HashMap::with_hasher(RandomState::default())) }
    }

    /// Calls `f` with the cached handle for `key`; false when absent.
    #[inline]
    pub fn with(&self, key: &[u8], f: impl FnOnce(&B)) -> bool {
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        match map.get(key) {
            Some(bound) => {
                f(bound);
                true
            }
            None => false,
        }
    }

    /// Inserts the handle `make` builds (unless another thread did first)
    /// and calls `f` with it; false, without calling either, when full.
    pub fn insert_with(&self, key: &[u8], make: impl FnOnce() -> B, f: impl FnOnce(&B)) -> bool {
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        if let Some(bound) = map.get(key) {
            f(bound);
            return true;
        }
        if map.len() >= CAPACITY {
            return false;
        }
        let bound = map.entry(key.into()).or_insert_with(make);
        f(bound);
        true
    }

    pub fn len(&self) -> usize {
        self.map.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_reuse_and_capacity_bounds_memory() {
        let cache: BoundCache<u32> = BoundCache::new();
        let mut seen = 0;
        assert!(!cache.with(b"a", |_| seen += 1));
        assert!(cache.insert_with(b"a", || 7, |v| assert_eq!(*v, 7)));
        assert!(cache.with(b"a", |v| seen += *v));
        assert_eq!(seen, 7);
        // A second insert of the same key keeps the first handle.
        assert!(cache.insert_with(b"a", || 9, |v| assert_eq!(*v, 7)));
        for i in 0..CAPACITY * 2 {
            cache.insert_with(&i.to_le_bytes(), || 1, |_| {});
        }
        assert_eq!(cache.len(), CAPACITY);
        assert!(!cache.insert_with(b"new", || 1, |_| panic!("must not be called when full")));
    }
}
