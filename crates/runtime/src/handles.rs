//! The table behind handles (MODULES.md §5): objects that C code holds
//! through a `void *user_data` stay alive, as collector roots, until their
//! handle is released. A handle is an index made into an address no C
//! code can dereference (outside the canonical x86-64 range), never null.

use crate::object::Obj;
use std::sync::Mutex;

/// Live objects by index; a released slot is `None` until reused.
static TABLE: Mutex<Vec<Option<usize>>> = Mutex::new(Vec::new());

/// The high bits of every handle: a non-canonical address.
const TAG: u64 = 0xF00D_0000_0000_0000;
const INDEX_MASK: u64 = 0x0000_FFFF_FFFF_FFFF;

/// A new handle for `o`.
pub fn insert(o: *mut Obj) -> u64 {
    let Ok(mut t) = TABLE.lock() else { crate::output::fatal("handle table poisoned") };
    let index = match t.iter().position(Option::is_none) {
        Some(i) => {
            t[i] = Some(o as usize);
            i
        }
        None => {
            t.push(Some(o as usize));
            t.len() - 1
        }
    };
    TAG | index as u64
}

fn index(h: u64) -> Option<usize> {
    (h & !INDEX_MASK == TAG).then_some((h & INDEX_MASK) as usize)
}

/// The object of a live handle.
pub fn get(h: u64) -> Option<*mut Obj> {
    let t = TABLE.lock().ok()?;
    t.get(index(h)?).copied().flatten().map(|o| o as *mut Obj)
}

/// Releases a live handle; `false` when it was not one.
pub fn remove(h: u64) -> bool {
    let Ok(mut t) = TABLE.lock() else { return false };
    match index(h).and_then(|i| t.get_mut(i)) {
        Some(slot @ Some(_)) => {
            *slot = None;
            true
        }
        _ => false,
    }
}

/// Every object a live handle holds (collector roots).
pub fn roots() -> Vec<*mut Obj> {
    TABLE.lock().map(|t| t.iter().flatten().map(|&o| o as *mut Obj).collect()).unwrap_or_default()
}
