//! A per-instrument map from an exact encoding of a call's attributes to the
//! SDK's bound handle for that series. A hit records with no allocation and
//! no attribute conversion; this is what lets attributes passed per call from
//! C cost less than the native SDK's own unbound path.
//!
//! Reads take no lock and write no shared memory: each shard's table is
//! published through an `ArcSwap`, whose loads only touch the reading
//! thread's own slot, so threads recording different series (or the same
//! one) scale instead of bouncing a lock word between cores. Inserting a new
//! series (at most `CAPACITY` times per instrument) copies its shard's table
//! under the shard's mutex and publishes the copy.

use arc_swap::ArcSwap;
use foldhash::fast::RandomState;
use hashbrown::HashTable;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Series beyond this many per instrument take the uncached path, so the
/// cache's memory is bounded whatever the application throws at it.
pub(crate) const CAPACITY: usize = 2048;
const SHARDS: usize = 16;

type Table<B> = HashTable<(Arc<[u8]>, Arc<B>)>;

#[repr(align(128))]
struct Shard<B> {
    table: ArcSwap<Table<B>>,
    /// Serialises inserts (copy, insert, publish).
    insert: Mutex<()>,
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
        let shards = (0..SHARDS)
            .map(|_| Shard {
                table: ArcSwap::from_pointee(HashTable::new()),
                insert: Mutex::new(()),
            })
            .collect();
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
        let table = shard.table.load();
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
        let _inserting = shard.insert.lock().unwrap_or_else(|e| e.into_inner());
        let current = shard.table.load_full();
        if let Some((_, bound)) = current.find(hash, |(k, _)| &**k == key) {
            f(bound);
            return true;
        }
        if self.len.fetch_add(1, Ordering::Relaxed) >= CAPACITY {
            self.len.fetch_sub(1, Ordering::Relaxed);
            return false;
        }
        let hasher = &self.hasher;
        let mut next = Table::clone(&current);
        let bound = Arc::new(make());
        next.insert_unique(hash, (key.into(), bound.clone()), |(k, _)| hasher.hash_one(&**k));
        shard.table.store(Arc::new(next));
        f(&bound);
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

    #[test]
    fn concurrent_inserts_and_reads_agree_on_one_handle_per_key() {
        let cache: Arc<BoundCache<AtomicUsize>> = Arc::new(BoundCache::new());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let cache = cache.clone();
                std::thread::spawn(move || {
                    for round in 0..50 {
                        for key in 0u32..200 {
                            let k = key.to_le_bytes();
                            let hit = cache.with(&k, |n| {
                                n.fetch_add(1, Ordering::Relaxed);
                            });
                            if !hit {
                                assert!(cache.insert_with(
                                    &k,
                                    || AtomicUsize::new(0),
                                    |n| {
                                        n.fetch_add(1, Ordering::Relaxed);
                                    }
                                ));
                            }
                        }
                        let _ = round;
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(cache.len(), 200);
        // Every increment landed on the one handle of its key.
        for key in 0u32..200 {
            assert!(
                cache.with(&key.to_le_bytes(), |n| assert_eq!(n.load(Ordering::Relaxed), 4 * 50))
            );
        }
    }
}
