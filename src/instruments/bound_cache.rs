//! A per-instrument map from an exact encoding of a call's attributes to the
//! SDK's bound handle for that series. A hit records with no allocation and
//! no attribute conversion; this is what lets attributes passed per call from
//! C cost less than the native SDK's own unbound path.
//!
//! The map is split into shards, each behind its own lock on its own cache
//! line, chosen by the key's hash: threads recording different series rarely
//! touch the same lock word, so they scale instead of fighting over one.

use foldhash::fast::RandomState;
use hashbrown::HashTable;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::RwLock;

/// Series beyond this many per instrument take the uncached path, so the
/// cache's memory is bounded whatever the application throws at it.
pub(crate) const CAPACITY: usize = 2048;
const SHARDS: usize = 16;

#[repr(align(128))]
struct Shard<B> {
    table: RwLock<HashTable<(Box<[u8]>, B)>>,
}

pub struct BoundCache<B> {
    shards: Box<[Shard<B>]>,
    hasher: RandomState,
    len: AtomicUsize,
}

impl<B> Default for BoundCache<B> {
    fn default() -> Self {
        Self::new()
    }
}

impl<B> BoundCache<B> {
    pub fn new() -> Self {
        let shards = (0..SHARDS).map(|_| Shard { table: RwLock::new(HashTable::new()) }).collect();
        // Randomly seeded per cache: keys are caller-controlled bytes.
        BoundCache { shards, hasher: RandomState::default(), len: AtomicUsize::new(0) }
    }

    #[inline]
    fn locate(&self, key: &[u8]) -> (u64, &Shard<B>) {
        let hash = self.hasher.hash_one(key);
        // The low bits pick the bucket inside the table; shard by high bits.
        (hash, &self.shards[(hash >> 60) as usize % SHARDS])
    }

    /// Calls `f` with the cached handle for `key`; false when absent.
    #[inline]
    pub fn with(&self, key: &[u8], f: impl FnOnce(&B)) -> bool {
        let (hash, shard) = self.locate(key);
        let table = shard.table.read().unwrap_or_else(|e| e.into_inner());
        match table.find(hash, |(k, _)| &**k == key) {
            Some((_, bound)) => {
                f(bound);
                true
            }
            None => false,
        }
    }

    /// Inserts the handle `make` builds (unless another thread did first)
    /// and calls `f` with it; false, without calling either, when full.
    pub fn insert_with(&self, key: &[u8], make: impl FnOnce() -> B, f: impl FnOnce(&B)) -> bool {
        let (hash, shard) = self.locate(key);
        let mut table = shard.table.write().unwrap_or_else(|e| e.into_inner());
        if let Some((_, bound)) = table.find(hash, |(k, _)| &**k == key) {
            f(bound);
            return true;
        }
        if self.len.fetch_add(1, Ordering::Relaxed) >= CAPACITY {
            self.len.fetch_sub(1, Ordering::Relaxed);
            return false;
        }
        let hasher = &self.hasher;
        let entry = table.insert_unique(hash, (key.into(), make()), |(k, _)| hasher.hash_one(&**k));
        f(&entry.get().1);
        true
    }

    pub fn len(&self) -> usize {
        self.len.load(Ordering::Relaxed)
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
        // Every key that made it in is found again.
        let found = (0..CAPACITY * 2).filter(|i| cache.with(&i.to_le_bytes(), |_| {})).count();
        assert_eq!(found, CAPACITY - 1, "all but `a` of the inserted keys");
    }
}
