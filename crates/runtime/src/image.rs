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
        let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
        if unsafe { libc::dladdr(p.cast(), &mut info) } == 0 {
            return None;
        }
        let mut found = (info.dli_fbase as usize, None);
        unsafe { libc::dl_iterate_phdr(Some(segments), (&raw mut found).cast()) };
        found.1
    }

    /// Whether address `p` is in the image.
    pub fn contains(&self, p: usize) -> bool {
        (self.lo..self.hi).contains(&p)
    }
}

/// `dl_iterate_phdr`'s callback: fills in the image of the object loaded at
/// the base in `data` from its `PT_LOAD` segments.
unsafe extern "C" fn segments(info: *mut libc::dl_phdr_info, _size: usize, data: *mut libc::c_void) -> libc::c_int {
    let (base, image) = unsafe { &mut *data.cast::<(usize, Option<Image>)>() };
    let info = unsafe { &*info };
    let headers = unsafe { std::slice::from_raw_parts(info.dlpi_phdr, usize::from(info.dlpi_phnum)) };
    let loads = || headers.iter().filter(|h| h.p_type == libc::PT_LOAD);
    let (Some(lo), Some(hi)) = (loads().map(|h| h.p_vaddr).min(), loads().map(|h| h.p_vaddr + h.p_memsz).max()) else {
        return 0;
    };
    let addr = info.dlpi_addr as usize;
    if addr + lo as usize != *base && addr != *base {
        return 0;
    }
    *image = Some(Image { lo: addr + lo as usize, hi: addr + hi as usize });
    1
}
