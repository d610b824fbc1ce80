//! The build cache of a package (`build/cache/`): one record per step
//! (a module's compile, a binary's link) saying what it was keyed by,
//! which imported declarations it relied on, and the hashes of what it
//! wrote. A step is up to date when its key is the same, every
//! declaration it relied on still has the fingerprint it had (early
//! cutoff, MODULES.md §3), and its outputs are there, unchanged. Never
//! timestamps; a damaged record is a step to redo, not an error.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What one step relied on and produced.
#[derive(Serialize, Deserialize, Debug, Default)]
pub struct Record {
    /// Hash of the step's own inputs (sources, flags, compiler version).
    pub key: String,
    /// (module, declaration, fingerprint) of every imported declaration
    /// the step relied on.
    pub uses: Vec<(String, String, String)>,
    /// Every file it wrote, with its content hash.
    pub outputs: Vec<(PathBuf, String)>,
    /// The compiled modules a binary containing it must link.
    pub links: Vec<String>,
}

impl Record {
    /// Whether every output is where the step wrote it, with its bytes.
    pub fn outputs_intact(&self) -> bool {
        self.outputs.iter().all(|(path, hash)| file_hash(path).as_deref() == Some(hash.as_str()))
    }
}

/// The records of one build directory.
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    pub fn new(dir: PathBuf) -> Cache {
        Cache { dir }
    }

    fn path(&self, step: &str) -> PathBuf {
        self.dir.join(format!("{step}.json"))
    }

    /// The record of `step`, if there is a readable one.
    pub fn read(&self, step: &str) -> Option<Record> {
        let bytes = std::fs::read(self.path(step)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Saves the record of `step` (atomically: a build interrupted here
    /// leaves the old record or the new one).
    pub fn write(&self, step: &str, record: &Record) -> Result<(), String> {
        let bytes = serde_json::to_vec_pretty(record).map_err(|e| e.to_string())?;
        crate::link::write_atomically(&self.path(step), &bytes)
    }

    /// Forgets `step`: its outputs are about to be rewritten.
    pub fn forget(&self, step: &str) {
        let _ = std::fs::remove_file(self.path(step));
    }
}

/// The content hash of a file, or `None` when it cannot be read.
pub fn file_hash(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    Some(blake3::hash(&bytes).to_hex().to_string())
}

/// Builds a step's key from labelled parts, so that no two different
/// sequences of parts give the same bytes to hash.
pub struct Key(blake3::Hasher);

impl Key {
    pub fn new() -> Key {
        let mut h = blake3::Hasher::new();
        h.update(crate::CACHE_VERSION.as_bytes());
        Key(h)
    }

    pub fn add(&mut self, label: &str, bytes: &[u8]) -> &mut Key {
        for part in [label.as_bytes(), bytes] {
            self.0.update(&(part.len() as u64).to_le_bytes()).update(part);
        }
        self
    }

    pub fn finish(&self) -> String {
        self.0.finalize().to_hex().to_string()
    }
}

impl Default for Key {
    fn default() -> Key {
        Key::new()
    }
}
