//! The Rust-side table behind a `Map` object: entries in insertion order
//! with a hash index; what the collector traces and frees. Keys of a
//! `Hashable` class are found through their own `hash()` and `equals()`,
//! which the caller gives ([`KeyOps`]: compiled code, which may throw, so
//! every lookup says whether one did).

use crate::object::{Header, Str};
use foldhash::HashMap;
use tess_abi::layout::map_keys;

#[repr(C)]
pub struct MapObj {
    pub header: Header,
    pub table: *mut Table,
}

pub enum Index {
    Words(HashMap<u64, usize>),
    Strings(HashMap<Box<[u8]>, usize>),
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
/// is compacted on a later insertion.
pub struct Table {
    pub vals_are_refs: bool,
    pub keys: Vec<u64>,
    pub vals: Vec<u64>,
    pub live: Vec<bool>,
    pub count: usize,
    pub index: Index,
}

impl Table {
    /// An empty table whose keys are of kind `key_kind` (`map_keys`).
    pub fn new(key_kind: i8, vals_are_refs: bool) -> Table {
        let index = match key_kind {
            map_keys::STRINGS => Index::Strings(HashMap::default()),
            map_keys::HASHABLE => Index::Hashed(HashMap::default()),
            _ => Index::Words(HashMap::default()),
        };
        Table { vals_are_refs, keys: Vec::new(), vals: Vec::new(), live: Vec::new(), count: 0, index }
    }

    /// The bytes this table holds: its vectors' and its index's capacity
    /// (each index entry counted as a key, a position and a control byte;
    /// string keys' copies are not counted).
    pub fn owned_bytes(&self) -> usize {
        let index = match &self.index {
            Index::Words(m) => m.capacity() * 17,
            Index::Strings(m) => m.capacity() * 25,
            Index::Hashed(m) => m.capacity() * 33,
        };
        8 * (self.keys.capacity() + self.vals.capacity()) + self.live.capacity() + index
    }

    pub fn keys_are_strings(&self) -> bool {
        matches!(self.index, Index::Strings(_))
    }

    /// Whether the collector traces the keys.
    pub fn keys_are_refs(&self) -> bool {
        !matches!(self.index, Index::Words(_))
    }

    pub fn find(&self, key: u64, ops: &impl KeyOps) -> Result<Option<usize>, Threw> {
        Ok(match &self.index {
            Index::Words(m) => m.get(&key).copied(),
            Index::Strings(m) => m.get(unsafe { (*(key as *const Str)).as_bytes() }).copied(),
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

    pub fn insert_index(&mut self, key: u64, at: usize, ops: &impl KeyOps) -> Result<(), Threw> {
        match &mut self.index {
            Index::Words(m) => {
                m.insert(key, at);
            }
            Index::Strings(m) => {
                m.insert(unsafe { (*(key as *const Str)).as_bytes() }.into(), at);
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
        let key = self.keys[at];
        match &mut self.index {
            Index::Words(m) => {
                m.remove(&key);
            }
            Index::Strings(m) => {
                m.remove(unsafe { (*(key as *const Str)).as_bytes() });
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
        match &mut self.index {
            Index::Words(m) => m.values_mut().for_each(|i| *i = moved[*i]),
            Index::Strings(m) => m.values_mut().for_each(|i| *i = moved[*i]),
            Index::Hashed(m) => m.values_mut().flatten().for_each(|i| *i = moved[*i]),
        }
    }
}

/// Frees the table of a map the collector found dead.
pub unsafe fn free_table(m: *mut MapObj) {
    unsafe { drop(Box::from_raw((*m).table)) };
}
