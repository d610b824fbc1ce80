//! DWARF for AOT objects (issue 17): one compile unit per object, with a
//! line table (where each site's instructions start, with its file, line
//! and column) and a subprogram per function, so that gdb, perf and
//! addr2line see Tessera functions, files and lines; the bodies inlined
//! into each function as inlined subroutines (gdb's `bt` names the frames
//! a stack trace names), and its parameters and variables with their
//! types and where their values are (issue 33). Written with gimli;
//! every address is a relocation against a function's symbol, so the
//! output stays byte-reproducible (no paths but the sources' file names,
//! no timestamps).

use crate::debug_types::{DebugTypes, TypeDesc};
use crate::sites::{DebugVar, FuncPositions, Place, Site, VarRange};
use crate::target::{Arch, Platform};
use crate::{err, CodegenError};
use gimli::write::{
    Address, AttributeValue, CommonInformationEntry, DwarfUnit, EndianVec, Expression, FileId, FrameTable, LineProgram,
    LineString, Location, LocationList, Range, RangeList, RelocateWriter, Relocation, RelocationTarget, Sections,
    UnitEntryId,
};
use gimli::{constants, Encoding, Format, LineEncoding, LittleEndian, Register};
use object::write::{Object, SymbolId};
use std::collections::{BTreeMap, HashMap};

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

/// What a compile unit describes besides its functions: the object's
/// sites, the names they mention and its variables' types.
pub(crate) struct Unit<'a> {
    /// The module's main file.
    pub name: &'a str,
    pub sites: &'a [Site],
    pub names: &'a [String],
    pub types: &'a DebugTypes,
    /// The target's common call frame information, when it has one.
    pub cie: Option<CommonInformationEntry>,
}

/// How far below the canonical frame address the frame pointer points
/// once a function's prologue has run (past the return address and the
/// caller's frame pointer, on every architecture): Cranelift keeps frame
/// pointers (`target.rs`), so frames are found from it.
const FRAME_POINTER_BELOW_CFA: i64 = 16;

/// The frame pointer by its DWARF number.
fn frame_pointer() -> Register {
    match crate::target::platform().arch() {
        Arch::X86_64 => gimli::X86_64::RBP,
        Arch::Aarch64 => gimli::AArch64::X29,
    }
}

/// The registers a call preserves, by DWARF number. A value in any other
/// register is lost over a call: in a caller's frame, stopped at the call,
/// it is not there.
fn callee_saved(n: u16) -> bool {
    match crate::target::platform() {
        // System V x86-64: rbx, rbp, r12–r15.
        Platform::X86_64Linux => matches!(n, 3 | 6 | 12..=15),
        // Windows x64: rbx, rbp, rsi, rdi, r12–r15, xmm6–xmm15.
        Platform::X86_64Windows => matches!(n, 3 | 4 | 5 | 6 | 12..=15 | 23..=32),
        // AAPCS64: x19–x29 and the low halves of v8–v15 (all of a Float).
        Platform::Aarch64Linux => matches!(n, 19..=29 | 72..=79),
    }
}

/// Adds the `.debug_*` sections describing `funcs` to `obj`.
pub(crate) fn write(obj: &mut Object<'_>, unit: &Unit<'_>, funcs: &[DebugFunc<'_>]) -> Result<(), CodegenError> {
    let encoding = Encoding { format: Format::Dwarf32, version: 4, address_size: 8 };
    let mut dwarf = DwarfUnit::new(encoding);
    let (lines, files) = line_program(encoding, unit, funcs);
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
    root_die.set(constants::DW_AT_name, AttributeValue::String(unit.name.as_bytes().to_vec()));
    root_die.set(constants::DW_AT_comp_dir, AttributeValue::String(b".".to_vec()));
    root_die.set(constants::DW_AT_language, AttributeValue::Language(constants::DW_LANG_C));
    root_die.set(constants::DW_AT_low_pc, AttributeValue::Address(Address::Constant(0)));
    root_die.set(constants::DW_AT_ranges, AttributeValue::RangeListRef(ranges));
    let types = type_entries(&mut dwarf.unit, unit.types);
    let mut writer =
        FuncWriter { unit: &mut dwarf.unit, described: unit, files: &files, types: &types, abstracts: HashMap::new() };
    for (i, f) in funcs.iter().enumerate() {
        writer.function(i, f);
    }

    let mut sections = Sections::new(Section { data: EndianVec::new(LittleEndian), relocs: Vec::new() });
    dwarf.write(&mut sections).map_err(|e| CodegenError(format!("writing debug information: {e}")))?;
    if let Some(cie) = unit.cie.clone() {
        // Where each function saved its caller's registers, so a debugger
        // shows the right values in callers' frames.
        let mut frames = FrameTable::default();
        let cie = frames.add_cie(cie);
        for (i, f) in funcs.iter().enumerate() {
            if let Some(unwind) = &f.positions.unwind {
                frames.add_fde(cie, unwind.to_fde(Address::Symbol { symbol: i, addend: 0 }));
            }
        }
        frames
            .write_debug_frame(&mut sections.debug_frame)
            .map_err(|e| CodegenError(format!("writing call frame information: {e}")))?;
    }
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
            let (symbol, kind) = match r.target {
                RelocationTarget::Symbol(i) => (funcs[i].symbol, object::RelocationKind::Absolute),
                RelocationTarget::Section(target) => {
                    let Some(&t) = ids.get(&target) else { continue };
                    // An offset into another debug section: on ELF the
                    // section's address is 0, on COFF it is not and the
                    // offset needs its own relocation (`SECREL`).
                    let kind = match obj.format() {
                        object::BinaryFormat::Coff => object::RelocationKind::SectionOffset,
                        _ => object::RelocationKind::Absolute,
                    };
                    (obj.section_symbol(t), kind)
                }
            };
            let flags = object::RelocationFlags::Generic {
                kind,
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

/// The line table: where each site's instructions start, with its file,
/// line and column; and the table's file of each file name.
fn line_program(encoding: Encoding, unit: &Unit<'_>, funcs: &[DebugFunc<'_>]) -> (LineProgram, HashMap<u32, FileId>) {
    let name = LineString::String(unit.name.as_bytes().to_vec());
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
            let Some(s) = unit.sites.get(site as usize) else { continue };
            let file = *files.entry(s.file).or_insert_with(|| {
                lines.add_file(LineString::String(unit.names[s.file as usize].as_bytes().to_vec()), dir, None)
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
    (lines, files)
}

/// The entry of each type of [`DebugTypes`]: what a variable of it is (a
/// base type, or a pointer to a structure for a reference), and for an
/// object its structure.
struct TypeEntries {
    value: Vec<UnitEntryId>,
    structure: Vec<Option<UnitEntryId>>,
}

fn type_entries(unit: &mut gimli::write::Unit, types: &DebugTypes) -> TypeEntries {
    let root = unit.root();
    let mut entries = TypeEntries { value: Vec::new(), structure: Vec::new() };
    let add = |unit: &mut gimli::write::Unit, tag, attrs: &[(gimli::DwAt, AttributeValue)]| {
        let id = unit.add(root, tag);
        for (name, value) in attrs {
            unit.get_mut(id).set(*name, value.clone());
        }
        id
    };
    let named = |name: &str| (constants::DW_AT_name, AttributeValue::String(name.as_bytes().to_vec()));
    let word = (constants::DW_AT_byte_size, AttributeValue::Udata(8));
    // What a reference to the structure `s` is.
    let pointer_to = |unit: &mut gimli::write::Unit, s| {
        add(unit, constants::DW_TAG_pointer_type, &[word.clone(), (constants::DW_AT_type, AttributeValue::UnitRef(s))])
    };
    // Every entry first, then what refers to other entries.
    for desc in &types.list {
        let (value, structure) = match desc {
            TypeDesc::Base { name, encoding, size } => {
                let attrs = [
                    named(name),
                    (constants::DW_AT_encoding, AttributeValue::Encoding(*encoding)),
                    (constants::DW_AT_byte_size, AttributeValue::Udata(u64::from(*size))),
                ];
                (add(unit, constants::DW_TAG_base_type, &attrs), None)
            }
            TypeDesc::Object { name, fields, .. } => {
                let size = fields.iter().map(|&(_, offset, _)| u64::from(offset) + 8).max().unwrap_or(8);
                let attrs = [named(name), (constants::DW_AT_byte_size, AttributeValue::Udata(size))];
                let s = add(unit, constants::DW_TAG_structure_type, &attrs);
                (pointer_to(unit, s), Some(s))
            }
            TypeDesc::Opaque(name) => {
                let attrs = [named(name), (constants::DW_AT_declaration, AttributeValue::Flag(true))];
                let s = add(unit, constants::DW_TAG_structure_type, &attrs);
                (pointer_to(unit, s), None)
            }
            TypeDesc::Elements(_) => (add(unit, constants::DW_TAG_pointer_type, &[word.clone()]), None),
            TypeDesc::Inline(_) => (add(unit, constants::DW_TAG_array_type, &[]), None),
        };
        entries.value.push(value);
        entries.structure.push(structure);
    }
    for (r, desc) in types.list.iter().enumerate() {
        let id = entries.value[r];
        match desc {
            TypeDesc::Object { base, fields, .. } => {
                let Some(s) = entries.structure[r] else { continue };
                if let Some(b) = base.and_then(|b| entries.structure[b as usize]) {
                    let inherit = unit.add(s, constants::DW_TAG_inheritance);
                    unit.get_mut(inherit).set(constants::DW_AT_type, AttributeValue::UnitRef(b));
                    unit.get_mut(inherit).set(constants::DW_AT_data_member_location, AttributeValue::Udata(0));
                }
                for (name, offset, ty) in fields {
                    let m = unit.add(s, constants::DW_TAG_member);
                    let die = unit.get_mut(m);
                    die.set(constants::DW_AT_name, AttributeValue::String(name.as_bytes().to_vec()));
                    die.set(constants::DW_AT_type, AttributeValue::UnitRef(entries.value[*ty as usize]));
                    die.set(constants::DW_AT_data_member_location, AttributeValue::Udata(u64::from(*offset)));
                }
            }
            TypeDesc::Elements(element) => {
                unit.get_mut(id).set(constants::DW_AT_type, AttributeValue::UnitRef(entries.value[*element as usize]));
            }
            TypeDesc::Inline(element) => {
                unit.get_mut(id).set(constants::DW_AT_type, AttributeValue::UnitRef(entries.value[*element as usize]));
                // No count: as many as the object's length says.
                unit.add(id, constants::DW_TAG_subrange_type);
            }
            TypeDesc::Base { .. } | TypeDesc::Opaque(_) => {}
        }
    }
    entries
}

/// Writes each function's entry: its code, its variables, and the bodies
/// inlined into it.
struct FuncWriter<'a, 'u> {
    unit: &'a mut gimli::write::Unit,
    described: &'a Unit<'u>,
    files: &'a HashMap<u32, FileId>,
    types: &'a TypeEntries,
    /// The abstract entry of each function inlined somewhere, by its
    /// name's index: what inlined frames are named from.
    abstracts: HashMap<u32, UnitEntryId>,
}

impl FuncWriter<'_, '_> {
    /// `f`, the `i`th function (whose code is symbol `i`).
    fn function(&mut self, i: usize, f: &DebugFunc<'_>) {
        let sites = self.described.sites;
        let root = self.unit.root();
        let first = f.positions.locs.first().and_then(|&(_, s)| sites.get(s as usize));
        let id = self.unit.add(root, constants::DW_TAG_subprogram);
        let die = self.unit.get_mut(id);
        die.set(constants::DW_AT_name, AttributeValue::String(f.name.as_bytes().to_vec()));
        die.set(constants::DW_AT_external, AttributeValue::Flag(true));
        die.set(constants::DW_AT_low_pc, AttributeValue::Address(Address::Symbol { symbol: i, addend: 0 }));
        die.set(constants::DW_AT_high_pc, AttributeValue::Udata(f.positions.len));
        let mut frame_base = Expression::new();
        frame_base.op_breg(frame_pointer(), 0);
        die.set(constants::DW_AT_frame_base, AttributeValue::Exprloc(frame_base));
        if let Some(s) = first {
            die.set(constants::DW_AT_decl_line, AttributeValue::Udata(u64::from(s.line)));
        }
        // What `finish` shows as the value returned.
        if let Some(ret) = f.positions.ret {
            die.set(constants::DW_AT_type, AttributeValue::UnitRef(self.types.value[ret as usize]));
        }
        let scopes = self.inlined(i, f, id);
        for (label, var) in f.positions.vars.iter().enumerate() {
            let scope = match var.inlined_at {
                None => id,
                Some(call) => match scopes.get(&call) {
                    Some(&scope) => scope,
                    // An inlined body with no code of its own left.
                    None => continue,
                },
            };
            self.variable(i, f, scope, label as u32, var);
        }
    }

    /// The entries of the bodies inlined into `f` (below `subprogram`),
    /// by the site of the call each replaces: each covers the code whose
    /// sites descend from that call.
    fn inlined(&mut self, i: usize, f: &DebugFunc<'_>, subprogram: UnitEntryId) -> HashMap<u32, UnitEntryId> {
        let sites = self.described.sites;
        // The code ranges of each inlined call, and the function it calls.
        let mut calls: BTreeMap<u32, (u32, Vec<(u64, u64)>)> = BTreeMap::new();
        let locs = &f.positions.locs;
        for (k, &(start, site)) in locs.iter().enumerate() {
            let end = locs.get(k + 1).map_or(f.positions.len, |&(next, _)| u64::from(next));
            let mut inner = sites.get(site as usize);
            while let Some(s) = inner {
                let Some(call) = s.parent else { break };
                let ranges = &mut calls.entry(call).or_insert_with(|| (s.func, Vec::new())).1;
                match ranges.last_mut() {
                    Some(last) if last.1 == u64::from(start) => last.1 = end,
                    _ => ranges.push((u64::from(start), end)),
                }
                inner = sites.get(call as usize);
            }
        }
        let mut scopes = HashMap::new();
        for &call in calls.keys() {
            self.inlined_entry(i, call, &calls, subprogram, &mut scopes);
        }
        scopes
    }

    fn inlined_entry(
        &mut self,
        i: usize,
        call: u32,
        calls: &BTreeMap<u32, (u32, Vec<(u64, u64)>)>,
        subprogram: UnitEntryId,
        scopes: &mut HashMap<u32, UnitEntryId>,
    ) -> UnitEntryId {
        if let Some(&id) = scopes.get(&call) {
            return id;
        }
        let site = self.described.sites[call as usize];
        let parent = match site.parent {
            Some(outer) if calls.contains_key(&outer) => self.inlined_entry(i, outer, calls, subprogram, scopes),
            _ => subprogram,
        };
        let (callee, ranges) = &calls[&call];
        let origin = self.abstract_entry(*callee);
        let id = self.unit.add(parent, constants::DW_TAG_inlined_subroutine);
        // One relocation per list (its base), not two per range.
        let base = Range::BaseAddress { address: Address::Symbol { symbol: i, addend: 0 } };
        let pieces = ranges.iter().map(|&(begin, end)| Range::OffsetPair { begin, end });
        let ranges = RangeList(std::iter::once(base).chain(pieces).collect());
        let ranges = self.unit.ranges.add(ranges);
        let die = self.unit.get_mut(id);
        die.set(constants::DW_AT_abstract_origin, AttributeValue::UnitRef(origin));
        die.set(constants::DW_AT_ranges, AttributeValue::RangeListRef(ranges));
        die.set(constants::DW_AT_call_file, AttributeValue::FileIndex(self.files.get(&site.file).copied()));
        die.set(constants::DW_AT_call_line, AttributeValue::Udata(u64::from(site.line)));
        die.set(constants::DW_AT_call_column, AttributeValue::Udata(u64::from(site.col)));
        scopes.insert(call, id);
        id
    }

    /// The entry inlined frames of the function named `name` refer to.
    fn abstract_entry(&mut self, name: u32) -> UnitEntryId {
        if let Some(&id) = self.abstracts.get(&name) {
            return id;
        }
        let root = self.unit.root();
        let id = self.unit.add(root, constants::DW_TAG_subprogram);
        let die = self.unit.get_mut(id);
        let text = self.described.names.get(name as usize).map_or(&[][..], |n| n.as_bytes());
        die.set(constants::DW_AT_name, AttributeValue::String(text.to_vec()));
        die.set(constants::DW_AT_inline, AttributeValue::Inline(constants::DW_INL_inlined));
        self.abstracts.insert(name, id);
        id
    }

    /// A parameter or variable of `scope`, with where its value is over
    /// the code (none where it is not kept: the debugger says so).
    fn variable(&mut self, i: usize, f: &DebugFunc<'_>, scope: UnitEntryId, label: u32, var: &DebugVar) {
        let tag = if var.param { constants::DW_TAG_formal_parameter } else { constants::DW_TAG_variable };
        let id = self.unit.add(scope, tag);
        let ranges = f.positions.var_ranges.binary_search_by_key(&label, |&(l, _)| l).ok();
        let list: Vec<Location> = ranges
            .map(|r| &f.positions.var_ranges[r].1[..])
            .unwrap_or_default()
            .iter()
            .flat_map(|r| outside_calls(*r, &f.positions.returns))
            .map(|r| {
                let mut data = Expression::new();
                match r.place {
                    Place::Register(n) => data.op_reg(Register(n)),
                    Place::Frame(offset) => data.op_fbreg(offset + FRAME_POINTER_BELOW_CFA),
                    Place::Slot(offset) => data.op_fbreg(offset),
                }
                Location::OffsetPair { begin: u64::from(r.start), end: u64::from(r.end), data }
            })
            .collect();
        // One relocation per list (its base), not two per range.
        let base = Location::BaseAddress { address: Address::Symbol { symbol: i, addend: 0 } };
        let location = (!list.is_empty())
            .then(|| self.unit.locations.add(LocationList(std::iter::once(base).chain(list).collect())));
        let die = self.unit.get_mut(id);
        die.set(constants::DW_AT_name, AttributeValue::String(var.name.as_bytes().to_vec()));
        die.set(constants::DW_AT_type, AttributeValue::UnitRef(self.types.value[var.ty as usize]));
        if let Some(location) = location {
            die.set(constants::DW_AT_location, AttributeValue::LocationListRef(location));
        }
    }
}

/// `range`, less the last byte of each call it spans when its place is
/// a register the call does not preserve: a caller's frame stands there
/// (at its return address less one) while the callee runs.
fn outside_calls(range: VarRange, returns: &[u32]) -> Vec<VarRange> {
    let preserved = match range.place {
        Place::Register(n) => callee_saved(n),
        Place::Frame(_) | Place::Slot(_) => true,
    };
    if preserved {
        return vec![range];
    }
    let mut pieces = Vec::new();
    let mut start = range.start;
    for &ret in returns.iter().filter(|&&r| r > range.start && r <= range.end) {
        if ret - 1 > start {
            pieces.push(VarRange { start, end: ret - 1, place: range.place });
        }
        start = ret;
    }
    if range.end > start {
        pieces.push(VarRange { start, end: range.end, place: range.place });
    }
    pieces
}
