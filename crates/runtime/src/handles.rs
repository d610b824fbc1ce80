//! The table behind handles (MODULES.md §5): objects that C code holds
//! through a `void *user_data` stay alive, as roots of the thread that
//! made the handle, until it is released. A handle is an index made into
//! an address no C code can dereference (outside the canonical x86-64
//! range), never null; it belongs to its thread (§6).

use crate::lock::Lock;
use crate::object::Obj;

/// A live handle: its object and the thread that made it.
#[derive(Clone, Copy)]
struct Entry {
    object: usize,
    thread: u64,
}

/// Live handles by index; a released slot is `None` until reused.
static TABLE: Lock<Vec<Option<Entry>>> = Lock::new(Vec::new());

/// The high bits of every handle: a non-canonical address.
const TAG: u64 = 0xF00D_0000_0000_0000;
const INDEX_MASK: u64 = 0x0000_FFFF_FFFF_FFFF;

/// Why a handle gives no object.
pub enum Refused {
    NotLive,
    OtherThread,
}

/// A new handle for `o`, owned by thread `thread`.
pub fn insert(o: *mut Obj, thread: u64) -> u64 {
    let mut t = TABLE.lock();
    let entry = Some(Entry { object: o as usize, thread });
    let index = match t.iter().position(Option::is_none) {
        Some(i) => {
            t[i] = entry;
            i
        }
        None => {
            t.push(entry);
            t.len() - 1
        }
    };
    TAG | index as u64
}

fn index(h: u64) -> Option<usize> {
    (h & !INDEX_MASK == TAG).then_some((h & INDEX_MASK) as usize)
}

fn live(t: &[Option<Entry>], h: u64, thread: u64) -> Result<usize, Refused> {
    let i = index(h).ok_or(Refused::NotLive)?;
    match t.get(i).copied().flatten() {
        None => Err(Refused::NotLive),
        Some(e) if e.thread != thread => Err(Refused::OtherThread),
        Some(_) => Ok(i),
    }
}

/// The object of a live handle of thread `thread`.
pub fn get(h: u64, thread: u64) -> Result<*mut Obj, Refused> {
    let t = TABLE.lock();
    let i = live(&t, h, thread)?;
    Ok(t[i].map_or(std::ptr::null_mut(), |e| e.object as *mut Obj))
}

/// Releases a live handle of thread `thread`.
pub fn remove(h: u64, thread: u64) -> Result<(), Refused> {
    let mut t = TABLE.lock();
    let i = live(&t, h, thread)?;
    t[i] = None;
    Ok(())
}

/// Every object a live handle of thread `thread` holds (its roots).
pub fn roots(thread: u64) -> Vec<*mut Obj> {
    TABLE.lock().iter().flatten().filter(|e| e.thread == thread).map(|e| e.object as *mut Obj).collect()
}

/// Releases every handle of a thread that ended (their objects died with
/// its heap).
pub fn release_all(thread: u64) {
    for slot in TABLE.lock().iter_mut() {
        if slot.is_some_and(|e| e.thread == thread) {
            *slot = None;
        }
    }
}
