//! The Rust-side table behind a `Map` object: entries in insertion order
//! with a hash index; what the collector traces and frees. Keys of a
//! `Hashable` class are found through their own `hash()` and `equals()`,
//! which the caller gives ([`KeyOps`]: compiled code, which may throw, so
//! every lookup says whether one did).

use crate::object::{Header, Str};
use foldhash::HashMap;
use hashbrown::HashTable;
use std::hash::BuildHasher;
use tess_abi::layout::map_keys;

#[repr(C)]
pub struct MapObj {
    pub header: Header,
    pub table: *mut Table,
}

pub enum Index {
    Words(HashMap<u64, usize>),
    /// The positions of string keys, hashed by their bytes and compared
    /// with the keys the table holds (no copy of a key: an index of copies
    /// cost a `malloc` for every key, bench/oo/json's objects).
    Strings(HashTable<usize>, foldhash::fast::RandomState),
    /// By `hash()`: the positions of the keys of each hash.
    Hashed(HashMap<i64, Vec<usize>>),
}

/// A key's `hash()` or `equals()` threw: the exception is pending.
pub struct Threw;

/// How keys that are objects of a `Hashable` class are hashed and
/// compared.
pub trait KeyOps {
    fn hash(&self, key: u64) -> Result<i64, Threw>;
    fn equals(&self, a: u64, b: u64) -> Result<bool, Threw>;
}

/// Entries in insertion order; removed ones stay as holes until the table
/// is compacted on a later insertion. A table of words or strings with at
/// most [`SMALL`] slots has no index: its keys are compared in turn, which
/// costs less than hashing them and, for strings, copying them into the
/// index (most maps are small: a JSON object's, a record's).
pub struct Table {
    pub vals_are_refs: bool,
    pub keys: Vec<u64>,
    pub vals: Vec<u64>,
    pub live: Vec<bool>,
    pub count: usize,
    pub index: Index,
    /// Whether `index` holds the keys (the table outgrew [`SMALL`]).
    indexed: bool,
}

/// The most slots a table keeps without an index.
pub const SMALL: usize = 8;

impl Table {
    /// An empty table whose keys are of kind `key_kind` (`map_keys`).
    pub fn new(key_kind: i8, vals_are_refs: bool) -> Table {
        let index = match key_kind {
            map_keys::STRINGS => Index::Strings(HashTable::new(), Default::default()),
            map_keys::HASHABLE => Index::Hashed(HashMap::default()),
            _ => Index::Words(HashMap::default()),
        };
        // Keys of a `Hashable` class are always indexed: their `hash()` runs
        // on every insertion and lookup, whatever the table's size.
        let indexed = matches!(index, Index::Hashed(_));
        Table { vals_are_refs, keys: Vec::new(), vals: Vec::new(), live: Vec::new(), count: 0, index, indexed }
    }

    /// The bytes this table holds: its vectors' and its index's capacity
    /// (each index entry counted as its key, if the index holds one, a
    /// position and a control byte).
    pub fn owned_bytes(&self) -> usize {
        let index = match &self.index {
            Index::Words(m) => m.capacity() * 17,
            Index::Strings(m, _) => m.capacity() * 9,
            Index::Hashed(m) => m.capacity() * 33,
        };
        8 * (self.keys.capacity() + self.vals.capacity()) + self.live.capacity() + index
    }

    pub fn keys_are_strings(&self) -> bool {
        matches!(self.index, Index::Strings(..))
    }

    /// Whether the collector traces the keys.
    pub fn keys_are_refs(&self) -> bool {
        !matches!(self.index, Index::Words(_))
    }

    pub fn find(&self, key: u64, ops: &impl KeyOps) -> Result<Option<usize>, Threw> {
        if !self.indexed {
            return self.scan(key, ops);
        }
        Ok(match &self.index {
            Index::Words(m) => m.get(&key).copied(),
            Index::Strings(m, hasher) => {
                let bytes = unsafe { str_bytes(key) };
                m.find(unsafe { str_hash(hasher, key) }, |&i| unsafe { str_bytes(self.keys[i]) } == bytes).copied()
            }
            Index::Hashed(m) => {
                let h = ops.hash(key)?;
                for &i in m.get(&h).into_iter().flatten() {
                    if self.keys[i] == key || ops.equals(self.keys[i], key)? {
                        return Ok(Some(i));
                    }
                }
                None
            }
        })
    }

    /// A small table's search: its live keys compared in turn.
    fn scan(&self, key: u64, ops: &impl KeyOps) -> Result<Option<usize>, Threw> {
        for (i, &k) in self.keys.iter().enumerate() {
            if !self.live[i] {
                continue;
            }
            let same = match &self.index {
                Index::Words(_) => k == key,
                Index::Strings(..) => k == key || unsafe { str_bytes(k) == str_bytes(key) },
                Index::Hashed(_) => k == key || ops.equals(k, key)?,
            };
            if same {
                return Ok(Some(i));
            }
        }
        Ok(None)
    }

    /// Adds the entry `key: val` at the end (`key` is not in the table).
    pub fn append(&mut self, key: u64, val: u64, ops: &impl KeyOps) -> Result<(), Threw> {
        self.insert_index(key, self.keys.len(), ops)?;
        self.keys.push(key);
        self.vals.push(val);
        self.live.push(true);
        self.count += 1;
        Ok(())
    }

    /// Records that slot `at` (the next one) will hold `key`; a table
    /// growing past [`SMALL`] slots indexes its keys first.
    fn insert_index(&mut self, key: u64, at: usize, ops: &impl KeyOps) -> Result<(), Threw> {
        if !self.indexed {
            if at < SMALL {
                return Ok(());
            }
            for i in 0..self.keys.len() {
                if self.live[i] {
                    self.add_to_index(self.keys[i], i, ops)?;
                }
            }
            self.indexed = true;
        }
        self.add_to_index(key, at, ops)
    }

    fn add_to_index(&mut self, key: u64, at: usize, ops: &impl KeyOps) -> Result<(), Threw> {
        match &mut self.index {
            Index::Words(m) => {
                m.insert(key, at);
            }
            Index::Strings(m, hasher) => {
                let keys = &self.keys;
                // The index holds positions below `at` only: the new key
                // is pushed after.
                let rehash = |&i: &usize| unsafe { str_hash(hasher, keys[i]) };
                m.insert_unique(unsafe { str_hash(hasher, key) }, at, rehash);
            }
            Index::Hashed(m) => {
                m.entry(ops.hash(key)?).or_default().push(at);
            }
        }
        Ok(())
    }

    /// Removes the entry of `key`, leaving a hole; whether there was one.
    pub fn remove(&mut self, key: u64, ops: &impl KeyOps) -> Result<bool, Threw> {
        let Some(i) = self.find(key, ops)? else { return Ok(false) };
        self.remove_index(i, ops)?;
        self.live[i] = false;
        self.vals[i] = 0;
        self.count -= 1;
        Ok(true)
    }

    /// Forgets the entry at `at` in the index.
    fn remove_index(&mut self, at: usize, ops: &impl KeyOps) -> Result<(), Threw> {
        if !self.indexed {
            return Ok(());
        }
        let key = self.keys[at];
        match &mut self.index {
            Index::Words(m) => {
                m.remove(&key);
            }
            Index::Strings(m, hasher) => {
                if let Ok(entry) = m.find_entry(unsafe { str_hash(hasher, key) }, |&i| i == at) {
                    entry.remove();
                }
            }
            Index::Hashed(m) => {
                let h = ops.hash(key)?;
                if let Some(b) = m.get_mut(&h) {
                    b.retain(|&i| i != at);
                    if b.is_empty() {
                        m.remove(&h);
                    }
                }
            }
        }
        Ok(())
    }

    /// Drops the holes left by removals once they outnumber the entries;
    /// the index's positions are renumbered (no key is hashed again).
    pub fn compact(&mut self) {
        let holes = self.keys.len() - self.count;
        if holes < 16 || holes < self.count {
            return;
        }
        let mut moved = vec![usize::MAX; self.keys.len()];
        let mut j = 0;
        for (i, to) in moved.iter_mut().enumerate() {
            if self.live[i] {
                self.keys[j] = self.keys[i];
                self.vals[j] = self.vals[i];
                *to = j;
                j += 1;
            }
        }
        self.keys.truncate(j);
        self.vals.truncate(j);
        self.live = vec![true; j];
        if !self.indexed {
            return;
        }
        match &mut self.index {
            Index::Words(m) => m.values_mut().for_each(|i| *i = moved[*i]),
            Index::Strings(m, _) => m.iter_mut().for_each(|i| *i = moved[*i]),
            Index::Hashed(m) => m.values_mut().flatten().for_each(|i| *i = moved[*i]),
        }
    }
}

/// The bytes of the string `key`.
///
/// # Safety
/// `key` is a string's address, and the string outlives the slice.
unsafe fn str_bytes<'a>(key: u64) -> &'a [u8] {
    unsafe { (*(key as *const Str)).as_bytes() }
}

/// The hash of the string `key` in an index of string keys: of its bytes,
/// wherever the index is searched, added to, rehashed or removed from.
///
/// # Safety
/// `key` is a string's address.
unsafe fn str_hash(hasher: &foldhash::fast::RandomState, key: u64) -> u64 {
    hasher.hash_one(unsafe { str_bytes(key) })
}

/// Frees the table of a map the collector found dead.
pub unsafe fn free_table(m: *mut MapObj) {
    unsafe { drop(Box::from_raw((*m).table)) };
}
