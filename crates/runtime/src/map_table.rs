//! The Rust-side table behind a `Map` object: entries in insertion order
//! with a hash index; what the collector traces and frees.

use crate::object::{Header, Str};
use std::collections::HashMap;

#[repr(C)]
pub struct MapObj {
    pub header: Header,
    pub table: *mut Table,
}

pub enum Index {
    Words(HashMap<u64, usize>),
    Strings(HashMap<Box<[u8]>, usize>),
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
    /// The bytes this table holds: its vectors' and its index's capacity
    /// (each index entry counted as a key, a position and a control byte;
    /// string keys' copies are not counted).
    pub fn owned_bytes(&self) -> usize {
        let index = match &self.index {
            Index::Words(m) => m.capacity() * 17,
            Index::Strings(m) => m.capacity() * 25,
        };
        8 * (self.keys.capacity() + self.vals.capacity()) + self.live.capacity() + index
    }

    pub fn keys_are_strings(&self) -> bool {
        matches!(self.index, Index::Strings(_))
    }

    pub fn find(&self, key: u64) -> Option<usize> {
        match &self.index {
            Index::Words(m) => m.get(&key).copied(),
            Index::Strings(m) => m.get(unsafe { (*(key as *const Str)).as_bytes() }).copied(),
        }
    }

    pub fn insert_index(&mut self, key: u64, at: usize) {
        match &mut self.index {
            Index::Words(m) => {
                m.insert(key, at);
            }
            Index::Strings(m) => {
                m.insert(unsafe { (*(key as *const Str)).as_bytes() }.into(), at);
            }
        }
    }

    pub fn remove_index(&mut self, key: u64) {
        match &mut self.index {
            Index::Words(m) => {
                m.remove(&key);
            }
            Index::Strings(m) => {
                m.remove(unsafe { (*(key as *const Str)).as_bytes() });
            }
        }
    }

    /// Drops the holes left by removals once they outnumber the entries.
    pub fn compact(&mut self) {
        let holes = self.keys.len() - self.count;
        if holes < 16 || holes < self.count {
            return;
        }
        let mut j = 0;
        for i in 0..self.keys.len() {
            if self.live[i] {
                self.keys[j] = self.keys[i];
                self.vals[j] = self.vals[i];
                j += 1;
            }
        }
        self.keys.truncate(j);
        self.vals.truncate(j);
        self.live = vec![true; j];
        for i in 0..j {
            self.insert_index(self.keys[i], i);
        }
    }
}

/// Frees the table of a map the collector found dead.
pub unsafe fn free_table(m: *mut MapObj) {
    unsafe { drop(Box::from_raw((*m).table)) };
}
