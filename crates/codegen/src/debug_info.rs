//! DWARF for AOT objects (issue 17): one compile unit per object, with a
//! line table (where each site's instructions start, with its file, line
//! and column) and a subprogram per function, so that gdb, perf and
//! addr2line see Tessera functions, files and lines. Written with gimli;
//! every address is a relocation against a function's symbol, so the
//! output stays byte-reproducible (no paths but the sources' file names,
//! no timestamps).

use crate::sites::{FuncPositions, Site};
use crate::{err, CodegenError};
use gimli::write::{
    Address, AttributeValue, DwarfUnit, EndianVec, LineProgram, LineString, Range, RangeList, RelocateWriter,
    Relocation, RelocationTarget, Sections,
};
use gimli::{constants, Encoding, Format, LineEncoding, LittleEndian};
use object::write::{Object, SymbolId};
use std::collections::HashMap;

/// A function as the debugger sees it.
pub(crate) struct DebugFunc<'a> {
    pub symbol: SymbolId,
    /// Its name in traces (`main.inner`).
    pub name: String,
    pub positions: &'a FuncPositions,
}

/// A debug section's bytes and the relocations they need.
#[derive(Clone)]
struct Section {
    data: EndianVec<LittleEndian>,
    relocs: Vec<Relocation>,
}

impl RelocateWriter for Section {
    type Writer = EndianVec<LittleEndian>;

    fn writer(&self) -> &Self::Writer {
        &self.data
    }

    fn writer_mut(&mut self) -> &mut Self::Writer {
        &mut self.data
    }

    fn relocate(&mut self, relocation: Relocation) {
        self.relocs.push(relocation);
    }
}

/// Adds the `.debug_*` sections describing `funcs` to `obj`; `unit` names
/// the compile unit (the module's main file), `sites` are the object's.
pub(crate) fn write(
    obj: &mut Object<'_>,
    unit: &str,
    sites: &[Site],
    names: &[String],
    funcs: &[DebugFunc<'_>],
) -> Result<(), CodegenError> {
    let encoding = Encoding { format: Format::Dwarf32, version: 4, address_size: 8 };
    let mut dwarf = DwarfUnit::new(encoding);
    let name = LineString::String(unit.as_bytes().to_vec());
    let mut lines =
        LineProgram::new(encoding, LineEncoding::default(), LineString::String(b".".to_vec()), None, name, None);
    let dir = lines.default_directory();
    let mut files = HashMap::new();
    for (i, f) in funcs.iter().enumerate() {
        let start = Address::Symbol { symbol: i, addend: 0 };
        lines.begin_sequence(Some(start));
        // The prologue belongs to the function's first statement.
        let from_start = f.positions.locs.first().map(|&(_, site)| (0, site));
        for (offset, site) in from_start.into_iter().chain(f.positions.locs.iter().copied()) {
            let Some(s) = sites.get(site as usize) else { continue };
            let file = *files.entry(s.file).or_insert_with(|| {
                lines.add_file(LineString::String(names[s.file as usize].as_bytes().to_vec()), dir, None)
            });
            let row = lines.row();
            if offset > 0 && row.address_offset == u64::from(offset) {
                continue;
            }
            row.address_offset = u64::from(offset);
            row.file = file;
            row.line = u64::from(s.line);
            row.column = u64::from(s.col);
            lines.generate_row();
        }
        lines.end_sequence(f.positions.len);
    }
    dwarf.unit.line_program = lines;

    let root = dwarf.unit.root();
    let ranges = dwarf.unit.ranges.add(RangeList(
        funcs
            .iter()
            .enumerate()
            .map(|(i, f)| Range::StartLength {
                begin: Address::Symbol { symbol: i, addend: 0 },
                length: f.positions.len,
            })
            .collect(),
    ));
    let producer = format!("tess {}", env!("CARGO_PKG_VERSION"));
    let root_die = dwarf.unit.get_mut(root);
    root_die.set(constants::DW_AT_producer, AttributeValue::String(producer.into_bytes()));
    root_die.set(constants::DW_AT_name, AttributeValue::String(unit.as_bytes().to_vec()));
    root_die.set(constants::DW_AT_comp_dir, AttributeValue::String(b".".to_vec()));
    root_die.set(constants::DW_AT_language, AttributeValue::Language(constants::DW_LANG_C));
    root_die.set(constants::DW_AT_low_pc, AttributeValue::Address(Address::Constant(0)));
    root_die.set(constants::DW_AT_ranges, AttributeValue::RangeListRef(ranges));
    for (i, f) in funcs.iter().enumerate() {
        let first = f.positions.locs.first().and_then(|&(_, s)| sites.get(s as usize));
        let id = dwarf.unit.add(root, constants::DW_TAG_subprogram);
        let die = dwarf.unit.get_mut(id);
        die.set(constants::DW_AT_name, AttributeValue::String(f.name.as_bytes().to_vec()));
        die.set(constants::DW_AT_external, AttributeValue::Flag(true));
        die.set(constants::DW_AT_low_pc, AttributeValue::Address(Address::Symbol { symbol: i, addend: 0 }));
        die.set(constants::DW_AT_high_pc, AttributeValue::Udata(f.positions.len));
        if let Some(s) = first {
            die.set(constants::DW_AT_decl_line, AttributeValue::Udata(u64::from(s.line)));
        }
    }

    let mut sections = Sections::new(Section { data: EndianVec::new(LittleEndian), relocs: Vec::new() });
    dwarf.write(&mut sections).map_err(|e| CodegenError(format!("writing debug information: {e}")))?;
    let mut ids = HashMap::new();
    sections.for_each(|id, section| -> Result<(), CodegenError> {
        if !section.data.slice().is_empty() {
            let s = obj.add_section(Vec::new(), id.name().as_bytes().to_vec(), object::SectionKind::Debug);
            obj.append_section_data(s, section.data.slice(), 1);
            ids.insert(id, s);
        }
        Ok(())
    })?;
    sections.for_each(|id, section| -> Result<(), CodegenError> {
        let Some(&s) = ids.get(&id) else { return Ok(()) };
        for r in &section.relocs {
            let symbol = match r.target {
                RelocationTarget::Symbol(i) => funcs[i].symbol,
                RelocationTarget::Section(target) => {
                    let Some(&t) = ids.get(&target) else { continue };
                    obj.section_symbol(t)
                }
            };
            let flags = object::RelocationFlags::Generic {
                kind: object::RelocationKind::Absolute,
                encoding: object::RelocationEncoding::Generic,
                size: r.size * 8,
            };
            obj.add_relocation(
                s,
                object::write::Relocation { offset: r.offset as u64, symbol, addend: r.addend, flags },
            )
            .map_err(err("adding a debug relocation"))?;
        }
        Ok(())
    })
}
