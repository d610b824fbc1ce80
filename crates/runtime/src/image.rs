//! The memory a loaded shared object occupies: what `lib.unload()` asks of
//! every type info, object and code address — is it the library's?

/// The address range of a shared object's loaded segments.
#[derive(Clone, Copy, Debug)]
pub struct Image {
    lo: usize,
    hi: usize,
}

impl Image {
    /// The image of the shared object that holds address `p`, if any.
    pub fn of(p: *const u8) -> Option<Image> {
        crate::os::image_of(p).map(|(lo, hi)| Image { lo, hi })
    }

    /// The image of addresses `lo..hi` (tests make up code).
    #[cfg(test)]
    pub fn range(lo: usize, hi: usize) -> Image {
        Image { lo, hi }
    }

    /// Whether address `p` is in the image.
    pub fn contains(&self, p: usize) -> bool {
        (self.lo..self.hi).contains(&p)
    }
}
