//! Checking a shared library before `dlopen` maps it: the dynamic loader
//! trusts the file, and a truncated or damaged one makes it (or the code
//! reading the library descriptor) touch memory past the end of the file.
//! Here every header, segment and section must lie inside the file.

use object::elf::{ET_DYN, PT_LOAD};
use object::read::elf::{ElfFile64, FileHeader, ProgramHeader};
use object::{Endianness, Object, ObjectSection};

/// Why `bytes` cannot be a loadable shared library, if it cannot.
pub fn check_shared_library(bytes: &[u8]) -> Result<(), String> {
    let file =
        ElfFile64::<Endianness>::parse(bytes).map_err(|e| format!("it is truncated or not a shared library ({e})"))?;
    let endian = file.endian();
    let header = file.elf_header();
    if header.e_type(endian) != ET_DYN {
        return Err("it is not a shared library".into());
    }
    let len = bytes.len() as u64;
    let segments =
        header.program_headers(endian, bytes).map_err(|e| format!("its program headers are damaged ({e})"))?;
    if !segments.iter().any(|s| s.p_type(endian) == PT_LOAD) {
        return Err("it has nothing to load".into());
    }
    for s in segments {
        let (offset, size) = (s.p_offset(endian), s.p_filesz(endian));
        if offset.checked_add(size).is_none_or(|end| end > len) {
            return Err(format!("it is truncated or damaged (a segment ends past its {len} bytes)"));
        }
    }
    for section in file.sections() {
        if let Some((offset, size)) = section.file_range() {
            if offset.checked_add(size).is_none_or(|end| end > len) {
                return Err(format!("it is truncated or damaged (a section ends past its {len} bytes)"));
            }
        }
    }
    Ok(())
}
