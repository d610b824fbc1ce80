//! Checking a DLL before `LoadLibrary` maps it: the system's loader
//! trusts the file, and a truncated or damaged one makes it (or the code
//! reading the library descriptor) touch memory past the end of the file.
//! Here the headers and every section must lie inside the file (what
//! `elf_check.rs` does for ELF).

use object::pe::IMAGE_FILE_DLL;
use object::read::pe::PeFile64;
use object::{Object, ObjectSection};

/// Why `bytes` cannot be a loadable DLL, if they cannot.
pub fn check_shared_library(bytes: &[u8]) -> Result<(), String> {
    let file = PeFile64::parse(bytes).map_err(|e| format!("it is truncated or not a DLL ({e})"))?;
    let characteristics = file.nt_headers().file_header.characteristics.get(object::LittleEndian);
    if characteristics & IMAGE_FILE_DLL == 0 {
        return Err("it is not a DLL".into());
    }
    let len = bytes.len() as u64;
    for section in file.sections() {
        if let Some((offset, size)) = section.file_range() {
            if offset.checked_add(size).is_none_or(|end| end > len) {
                return Err(format!("it is truncated or damaged (a section ends past its {len} bytes)"));
            }
        }
    }
    Ok(())
}
