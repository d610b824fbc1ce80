//! A mutex over the system's own (`os::RawLock`: POSIX threads' on Linux),
//! for the runtime's process-wide tables (output, handles, module layouts,
//! the loader): tools that check threaded programs (valgrind's helgrind,
//! DRD) understand pthread mutexes but not the futexes of
//! `std::sync::Mutex`, and would report every use of these tables from two
//! threads as a data race. The lowest layer of the runtime, with `output`.

use std::cell::UnsafeCell;
use std::ops::{Deref, DerefMut};

/// A value only one thread at a time may use.
pub struct Lock<T> {
    mutex: crate::os::RawLock,
    value: UnsafeCell<T>,
}

unsafe impl<T: Send> Sync for Lock<T> {}

/// Holds a [`Lock`] until dropped.
pub struct Guard<'a, T>(&'a Lock<T>);

impl<T> Lock<T> {
    pub const fn new(value: T) -> Lock<T> {
        Lock { mutex: crate::os::RawLock::new(), value: UnsafeCell::new(value) }
    }

    /// Waits for the value.
    pub fn lock(&self) -> Guard<'_, T> {
        self.mutex.lock();
        Guard(self)
    }

    /// The value if no thread holds it now (for the fatal-signal path).
    pub fn try_lock(&self) -> Option<Guard<'_, T>> {
        self.mutex.try_lock().then_some(Guard(self))
    }
}

impl<T> Deref for Guard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        unsafe { &*self.0.value.get() }
    }
}

impl<T> DerefMut for Guard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        unsafe { &mut *self.0.value.get() }
    }
}

impl<T> Drop for Guard<'_, T> {
    fn drop(&mut self) {
        self.0.mutex.unlock();
    }
}
