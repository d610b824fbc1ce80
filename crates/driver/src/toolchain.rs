//! `tess toolchain --archive FILE` (issue 34): the compiler and its runtime
//! as one `.tar.gz` — `tessera/bin/tess`, the runtime's static and shared
//! libraries beside it and, for each cross target asked for (`--cross`),
//! in `TRIPLE/` beside it (where `tess` looks for them, `artifacts::runtime_dir`),
//! `tessera.h` and the gdb pretty-printers — so that a machine with nothing
//! installed (a remote build worker) builds with it once unpacked. The
//! archive is reproducible: entries sorted, times, owners and modes fixed.

use crate::artifacts::{self, LibKind, RUNTIME};
use crate::Error;
use std::path::Path;
use tess_codegen::target::Platform;

/// The directory every entry is under.
const TOP: &str = "tessera/bin";

/// Writes the archive to `out`, with the runtimes of the host and of
/// `cross`; the number of files it holds.
pub fn archive(out: &Path, cross: &[Platform]) -> Result<usize, Error> {
    let tess = std::env::current_exe().map_err(|e| format!("cannot locate the tess executable: {e}"))?;
    let read = |p: &Path| std::fs::read(p).map_err(|e| Error::from(format!("cannot read {}: {e}", p.display())));
    // (path in the archive, bytes, executable)
    let mut entries: Vec<(String, Vec<u8>, bool)> = vec![
        (format!("{TOP}/tess"), read(&tess)?, true),
        (format!("{TOP}/include/tessera.h"), crate::header::tessera_h().into_bytes(), false),
        (format!("{TOP}/gdb/tessera.py"), crate::build::GDB_PRINTERS.as_bytes().to_vec(), false),
    ];
    let host = Platform::host();
    let mut platforms = vec![host];
    platforms.extend(cross.iter().copied().filter(|&p| p != host));
    for platform in platforms {
        let runtime = artifacts::runtime_dir_for(platform)?;
        let dir = if platform == host { TOP.to_string() } else { format!("{TOP}/{}", platform.triple()) };
        for (kind, executable) in [(LibKind::Static, false), (LibKind::Shared, true)] {
            let name = kind.file_name_for(platform, RUNTIME);
            entries.push((format!("{dir}/{name}"), read(&runtime.join(&name))?, executable));
        }
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let file = std::fs::File::create(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let gz = flate2::GzBuilder::new().mtime(0).write(file, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    let count = entries.len();
    for (path, bytes, executable) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(if executable { 0o755 } else { 0o644 });
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, &path, bytes.as_slice())
            .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    }
    let gz = tar.into_inner().map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    gz.finish().map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    Ok(count)
}
