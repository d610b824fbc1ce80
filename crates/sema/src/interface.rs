//! Interface files (`NAME.tesi`, MODULES.md §3): what other modules may use
//! of a compiled library — its public and exported declarations with full
//! signatures and symbols, classes with their own fields and methods and
//! the cells their offsets and slots are read through (§11: no offset,
//! size or slot number is part of an interface) — and a fingerprint per
//! declaration and per class member over what a dependent relies on,
//! plus one for the whole interface.
//!
//! The file is `TESI`, a little-endian `u32` format version, the BLAKE3
//! checksum of the rest (32 bytes), then the [`Interface`] in postcard's
//! compact encoding, and nothing after it. Everything is kept in
//! declaration order, so the same sources always give the same bytes.

use crate::hir::{self, Callee, Visibility};
use crate::ty::Ty;
use serde::{Deserialize, Serialize};
use tess_abi::mangle;
pub use tess_syntax::ast::Access;

const MAGIC: &[u8; 4] = b"TESI";
/// Bumped on any change to the encoding below, or to the binary interface
/// it describes (13: generic interfaces, bounds and conformances with
/// type arguments, interfaces extending interfaces).
pub const FORMAT_VERSION: u32 = 13;
/// Bytes of the BLAKE3 checksum of the contents, after the version.
const CHECKSUM_BYTES: usize = 32;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interface {
    pub module: String,
    pub target: String,
    pub compiler: String,
    pub functions: Vec<Function>,
    pub globals: Vec<Global>,
    pub classes: Vec<Class>,
    /// Enums, beside their classes (which are in `classes`).
    pub enums: Vec<Enum>,
    pub interfaces: Vec<InterfaceType>,
    /// Modules this one was compiled against.
    pub dependencies: Vec<Dependency>,
    /// Built into a shared library: importers reach only its exported
    /// declarations. Recorded here (not only read off the library beside
    /// it) so that a module compiles against interfaces alone, as a build
    /// engine that gives a compile only interfaces needs.
    pub shared: bool,
    /// Hash over every declaration's fingerprint.
    pub fingerprint: String,
}

/// A type as interfaces spell it: classes by `module.Name`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TypeRef {
    Void,
    Int,
    Int32,
    Float,
    Bool,
    Str,
    CString,
    CPointer,
    Array(Box<TypeRef>),
    Map(Box<TypeRef>, Box<TypeRef>),
    Set(Box<TypeRef>),
    Optional(Box<TypeRef>),
    Fn(Vec<TypeRef>, Box<TypeRef>),
    Class(String),
    /// An interface with its type arguments (none for a plain one).
    Interface(String, Vec<TypeRef>),
    /// The generic function's (or class's) type parameter of this index.
    Param(u32),
    /// A generic class with its type arguments.
    Generic(String, Vec<TypeRef>),
    Any,
}

/// An interface (LANGUAGE.md §7) as other modules call it and implement
/// it: its methods by name, each with the cell holding its byte offset in
/// interface tables (MODULES.md §12).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InterfaceType {
    pub name: String,
    pub descriptor: String,
    /// A generic interface's type parameters, by name (`TypeRef::Param`
    /// in its methods).
    pub type_params: Vec<String>,
    /// The interfaces it extends (`TypeRef::Interface`).
    pub supers: Vec<TypeRef>,
    pub methods: Vec<InterfaceMethod>,
    pub exported: bool,
    /// Over its name and descriptor only: a method added keeps it.
    pub fingerprint: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InterfaceMethod {
    pub name: String,
    pub params: Vec<TypeRef>,
    pub ret: TypeRef,
    /// Classes need not define it.
    pub has_default: bool,
    pub slot_cell: String,
    /// Over its signature (a default body added or changed keeps it).
    pub fingerprint: String,
}

/// A type parameter of a generic function or class: its name and bounds
/// (interfaces, `TypeRef::Interface`, whose arguments may name the
/// parameters).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TypeParamRef {
    pub name: String,
    pub bounds: Vec<TypeRef>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Function {
    pub name: String,
    pub symbol: String,
    /// A generic function's type parameters, whose descriptors it takes
    /// after `params` (`docs/abi.md`, generics).
    pub type_params: Vec<TypeParamRef>,
    pub params: Vec<TypeRef>,
    pub ret: TypeRef,
    pub exported: bool,
    /// Every Tessera function may throw (LANGUAGE.md §3).
    pub may_throw: bool,
    pub fingerprint: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Global {
    pub name: String,
    pub symbol: String,
    pub ty: TypeRef,
    pub mutable: bool,
    /// A `shared var`: the symbol is the process-wide variable itself;
    /// otherwise it is a word holding the variable's offset in the
    /// module's per-thread block (`docs/abi.md`, threads).
    pub shared: bool,
    pub exported: bool,
    pub fingerprint: String,
}

/// A field the class itself declares (inherited ones are its base's).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    pub ty: TypeRef,
    /// The cell holding its byte offset, read by other modules.
    pub offset_cell: String,
    /// Who may use it: other modules see `public` fields, and `protected`
    /// ones from subclasses; the others are listed so that a use names the
    /// rule it breaks.
    pub access: Access,
    pub mutable: bool,
    pub fingerprint: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Method {
    pub name: String,
    pub symbol: String,
    pub params: Vec<TypeRef>,
    pub ret: TypeRef,
    /// For a method dispatched through the virtual table: the cell holding
    /// its slot's byte offset in type infos.
    pub slot_cell: Option<String>,
    /// `public`, or `protected` (usable and overridable from subclasses).
    pub access: Access,
    /// Cannot be overridden.
    pub is_final: bool,
    pub fingerprint: String,
}

/// A class's `init`, as other modules construct the class or call it
/// with `super.init`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Init {
    pub symbol: String,
    pub params: Vec<TypeRef>,
    pub access: Access,
    pub fingerprint: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Class {
    pub name: String,
    pub type_info: String,
    /// Set when the module builds the type info at run time (its base is
    /// another module's): the cell holding its address.
    pub type_info_cell: Option<String>,
    pub base: Option<String>,
    /// The interfaces it declares it implements (`TypeRef::Interface`).
    pub interfaces: Vec<TypeRef>,
    /// A generic class's type parameters; its first fields hold their
    /// descriptors (`docs/abi.md`, generics).
    pub type_params: Vec<TypeParamRef>,
    pub fields: Vec<Field>,
    pub methods: Vec<Method>,
    pub init: Option<Init>,
    pub exported: bool,
    /// May be subclassed by other modules.
    pub open: bool,
    /// Over what dependents rely on of the class itself (its name, base,
    /// openness and type info), not its members, which have their own.
    pub fingerprint: String,
}

impl Function {
    /// `[T, U: m.I]` as written (empty for a plain function), then the
    /// parameters and result with the type parameters by name.
    pub fn shown_signature(&self) -> String {
        let names: Vec<&str> = self.type_params.iter().map(|p| p.name.as_str()).collect();
        let tps = self
            .type_params
            .iter()
            .map(|p| match p.bounds.is_empty() {
                true => p.name.clone(),
                false => {
                    let bounds: Vec<String> = p.bounds.iter().map(|b| b.shown(&names)).collect();
                    format!("{}: {}", p.name, bounds.join(" & "))
                }
            })
            .collect::<Vec<_>>();
        let tps = if tps.is_empty() { String::new() } else { format!("[{}]", tps.join(", ")) };
        let ps: Vec<String> = self.params.iter().map(|p| p.shown(&names)).collect();
        format!("{tps}({}) -> {}", ps.join(", "), self.ret.shown(&names))
    }
}

impl Class {
    /// (`Class.member`, fingerprint) of every member other modules may use.
    pub fn member_fingerprints(&self) -> impl Iterator<Item = (String, &str)> {
        let usable = |a: Access| matches!(a, Access::Public | Access::Protected);
        let fields = self.fields.iter().filter(move |f| usable(f.access)).map(|f| (f.name.as_str(), &f.fingerprint));
        let methods = self.methods.iter().filter(move |m| usable(m.access)).map(|m| (m.name.as_str(), &m.fingerprint));
        let init = self.init.iter().filter(move |i| usable(i.access)).map(|i| ("init", &i.fingerprint));
        let fields = fields.map(|(n, f)| (n.to_string(), f));
        let methods = methods.map(|(n, f)| (self.method_decl(n), f));
        let init = init.map(|(n, f)| (n.to_string(), f));
        fields.chain(methods).chain(init).map(|(n, f)| (format!("{}.{n}", self.name), f.as_str()))
    }

    /// The name a method's fingerprint is registered under: its own, or
    /// `name()` when a field has that name too (they are separate
    /// namespaces, LANGUAGE.md §7).
    pub fn method_decl(&self, name: &str) -> String {
        if self.fields.iter().any(|f| f.name == name) {
            format!("{name}()")
        } else {
            name.to_string()
        }
    }
}

/// An enum (LANGUAGE.md §7): its cases in order — a case's tag is its
/// index, compiled into the modules that construct or match it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Enum {
    pub name: String,
    pub cases: Vec<EnumCase>,
    pub exported: bool,
    /// Over the whole list of cases: what an exhaustive `match` without
    /// `_` relies on (a case added breaks it, and only it).
    pub fingerprint: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnumCase {
    pub name: String,
    /// The payload's value names (their types are the fields of the
    /// case's class, `Enum.case`).
    pub payload: Option<Vec<String>>,
    /// Over its tag and payload: what constructing or matching it relies on.
    pub fingerprint: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dependency {
    pub module: String,
}

fn type_ref(m: &hir::Module, t: &Ty) -> TypeRef {
    match t {
        Ty::Void | Ty::Nil | Ty::Error => TypeRef::Void,
        Ty::Int => TypeRef::Int,
        Ty::Int32 => TypeRef::Int32,
        Ty::Float => TypeRef::Float,
        Ty::Bool => TypeRef::Bool,
        Ty::Str => TypeRef::Str,
        Ty::CString => TypeRef::CString,
        Ty::CPointer => TypeRef::CPointer,
        Ty::Array(e) => TypeRef::Array(Box::new(type_ref(m, e))),
        Ty::Map(k, v) => TypeRef::Map(Box::new(type_ref(m, k)), Box::new(type_ref(m, v))),
        Ty::Set(e) => TypeRef::Set(Box::new(type_ref(m, e))),
        Ty::Optional(e) => TypeRef::Optional(Box::new(type_ref(m, e))),
        Ty::Fn(ps, r) => TypeRef::Fn(ps.iter().map(|p| type_ref(m, p)).collect(), Box::new(type_ref(m, r))),
        Ty::Class(c, _) => TypeRef::Class(class_path(m, *c)),
        Ty::Interface(i, inst) => {
            TypeRef::Interface(iface_path(m, *i), inst.args.iter().map(|a| type_ref(m, a)).collect())
        }
        Ty::Param(k, _) => TypeRef::Param(*k),
        Ty::Any => TypeRef::Any,
        Ty::Generic(c, inst) => TypeRef::Generic(class_path(m, *c), inst.args.iter().map(|a| type_ref(m, a)).collect()),
    }
}

/// A generic class's type parameters, as the interface records them.
fn class_type_params(m: &hir::Module, c: &hir::Class) -> Vec<TypeParamRef> {
    c.type_params
        .iter()
        .map(|(name, bounds)| TypeParamRef {
            name: name.clone(),
            bounds: bounds.iter().map(|b| type_ref(m, b)).collect(),
        })
        .collect()
}

fn iface_path(m: &hir::Module, i: usize) -> String {
    let iface = &m.interfaces[i];
    format!("{}.{}", iface.imported_from.as_deref().unwrap_or(&m.name), iface.name)
}

/// A visible interface of this module.
fn interface_type(m: &hir::Module, i: &hir::Interface) -> InterfaceType {
    let methods = i
        .methods
        .iter()
        .map(|x| {
            let params: Vec<TypeRef> = x.params.iter().map(|p| type_ref(m, p)).collect();
            let ret = type_ref(m, &x.ret);
            let facts = format!("interface method {}.{} {params:?} -> {ret:?}", i.name, x.name);
            InterfaceMethod {
                name: x.name.clone(),
                params,
                ret,
                has_default: x.has_default,
                slot_cell: mangle::method_slot(&m.name, &i.name, &x.name),
                fingerprint: fingerprint(&facts),
            }
        })
        .collect();
    let supers: Vec<TypeRef> = i.supers.iter().map(|t| type_ref(m, t)).collect();
    InterfaceType {
        name: i.name.clone(),
        descriptor: i.descriptor.clone(),
        type_params: i.type_params.clone(),
        fingerprint: fingerprint(&format!("interface {} {:?} : {supers:?} @{}", i.name, i.type_params, i.descriptor)),
        supers,
        methods,
        exported: i.visibility == Visibility::Export,
    }
}

fn class_path(m: &hir::Module, c: usize) -> String {
    let class = &m.classes[c];
    match (&class.imported_from, class.builtin) {
        (_, true) => class.name.clone(),
        (Some(module), _) => format!("{module}.{}", class.name),
        (None, false) => format!("{}.{}", m.name, class.name),
    }
}

fn fingerprint(facts: &str) -> String {
    blake3::hash(facts.as_bytes()).to_hex()[..32].to_string()
}

/// The interface of a checked module: its exported and public (hidden)
/// declarations. Built once per compile, by the checker; the target and
/// compiler are stamped when it is written ([`encode`]).
pub(crate) fn interface_of(m: &hir::Module) -> Interface {
    let visible = |v: Visibility| v != Visibility::Local;
    let functions: Vec<Function> = m
        .funcs
        .iter()
        .enumerate()
        .filter(|(i, f)| *i != m.init && !f.external && visible(f.visibility) && !f.name.contains('.'))
        .map(|(_, f)| {
            let user = f.params.len() - f.type_params.len();
            let params: Vec<TypeRef> = f.params[..user].iter().map(|&l| type_ref(m, &f.locals[l].ty)).collect();
            let ret = type_ref(m, &f.ret);
            let type_params: Vec<TypeParamRef> = f
                .generic
                .iter()
                .map(|(name, bounds)| TypeParamRef {
                    name: name.clone(),
                    bounds: bounds.iter().map(|b| type_ref(m, b)).collect(),
                })
                .collect();
            let facts = format!("fn {} {type_params:?} {:?} -> {:?} @{}", f.name, params, ret, f.symbol);
            Function {
                name: f.name.clone(),
                symbol: f.symbol.clone(),
                type_params,
                params,
                ret,
                exported: f.visibility == Visibility::Export,
                may_throw: true,
                fingerprint: fingerprint(&facts),
            }
        })
        .collect();
    let globals: Vec<Global> = m
        .globals
        .iter()
        .filter(|g| !g.external && visible(g.visibility))
        .map(|g| {
            let ty = type_ref(m, &g.ty);
            let facts = format!("var {} {:?} mut={} shared={} @{}", g.name, ty, g.mutable, g.shared, g.symbol);
            Global {
                name: g.name.clone(),
                symbol: g.symbol.clone(),
                ty,
                mutable: g.mutable,
                shared: g.shared,
                exported: g.visibility == Visibility::Export,
                fingerprint: fingerprint(&facts),
            }
        })
        .collect();
    let classes: Vec<Class> = m
        .classes
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_external() && visible(c.visibility))
        .map(|(_, c)| class_interface(m, c))
        .collect();
    let interfaces: Vec<InterfaceType> = m
        .interfaces
        .iter()
        .filter(|i| i.imported_from.is_none() && visible(i.visibility))
        .map(|i| interface_type(m, i))
        .collect();
    let enums: Vec<Enum> = m
        .enums
        .iter()
        .filter_map(|e| {
            let class = classes.iter().find(|c| c.name == e.name)?;
            Some(enum_interface(e, class.exported))
        })
        .collect();
    let all: Vec<&str> = functions
        .iter()
        .map(|f| f.fingerprint.as_str())
        .chain(globals.iter().map(|g| g.fingerprint.as_str()))
        .chain(classes.iter().map(|c| c.fingerprint.as_str()))
        .chain(interfaces.iter().flat_map(|i| {
            std::iter::once(i.fingerprint.as_str()).chain(i.methods.iter().map(|x| x.fingerprint.as_str()))
        }))
        .chain(
            enums
                .iter()
                .flat_map(|e| std::iter::once(&e.fingerprint).chain(e.cases.iter().map(|c| &c.fingerprint)))
                .map(String::as_str),
        )
        .collect();
    Interface {
        module: m.name.clone(),
        target: String::new(),
        compiler: String::new(),
        fingerprint: fingerprint(&all.join(",")),
        functions,
        globals,
        classes,
        enums,
        interfaces,
        dependencies: m.dependencies.iter().map(|module| Dependency { module: module.clone() }).collect(),
        shared: false,
    }
}

/// A visible enum's cases, each fingerprinted over its tag and payload
/// (the payload's types are its class's fields, fingerprinted there).
fn enum_interface(e: &hir::Enum, exported: bool) -> Enum {
    let cases: Vec<EnumCase> = e
        .cases
        .iter()
        .enumerate()
        .map(|(tag, c)| EnumCase {
            name: c.name.clone(),
            payload: c.payload.clone(),
            fingerprint: fingerprint(&format!("case {}.{} tag={tag} payload={:?}", e.name, c.name, c.payload)),
        })
        .collect();
    let list: Vec<&str> = cases.iter().map(|c| c.fingerprint.as_str()).collect();
    Enum {
        name: e.name.clone(),
        fingerprint: fingerprint(&format!("enum {} cases {}", e.name, list.join(","))),
        cases,
        exported,
    }
}

fn class_interface(m: &hir::Module, c: &hir::Class) -> Class {
    let inherited = c.base.map_or(0, |b| m.classes[b].fields.len());
    let fields: Vec<Field> = c.fields[inherited..]
        .iter()
        .map(|f| {
            let ty = type_ref(m, &f.ty);
            let facts = format!("field {}.{} {:?} mut={} {:?}", c.name, f.name, ty, f.mutable, f.access);
            Field {
                name: f.name.clone(),
                ty,
                offset_cell: mangle::field_offset(&m.name, &c.name, &f.name),
                access: f.access,
                mutable: f.mutable,
                fingerprint: fingerprint(&facts),
            }
        })
        .collect();
    let prefix = format!("{}.", c.name);
    let methods: Vec<Method> = m
        .funcs
        .iter()
        .enumerate()
        .filter(|(_, f)| f.visibility != Visibility::Local && f.name.starts_with(&prefix) && !f.name.ends_with(".init"))
        .map(|(fid, f)| {
            let name = f.name[prefix.len()..].to_string();
            let params: Vec<TypeRef> = f.params.iter().skip(1).map(|&l| type_ref(m, &f.locals[l].ty)).collect();
            let ret = type_ref(m, &f.ret);
            let slot_cell = c.has_slot(fid).then(|| mangle::method_slot(&m.name, &c.name, &name));
            let facts = format!(
                "method {}.{name} {params:?} -> {ret:?} virtual={} final={} {:?} @{}",
                c.name,
                slot_cell.is_some(),
                f.is_final,
                f.access,
                f.symbol
            );
            Method {
                name,
                symbol: f.symbol.clone(),
                params,
                ret,
                slot_cell,
                access: f.access,
                is_final: f.is_final,
                fingerprint: fingerprint(&facts),
            }
        })
        .collect();
    let init = match &c.init {
        Some(Callee::Func(f)) if m.funcs[*f].visibility != Visibility::Local => {
            let f = &m.funcs[*f];
            let params: Vec<TypeRef> = f.params.iter().skip(1).map(|&l| type_ref(m, &f.locals[l].ty)).collect();
            let facts = format!("init {} {params:?} {:?} @{}", c.name, f.access, f.symbol);
            Some(Init { symbol: f.symbol.clone(), params, access: f.access, fingerprint: fingerprint(&facts) })
        }
        _ => None,
    };
    let base = c.base.map(|b| class_path(m, b));
    let interfaces: Vec<TypeRef> = c
        .conforms
        .iter()
        .map(|k| TypeRef::Interface(iface_path(m, k.iface), k.args.iter().map(|a| type_ref(m, a)).collect()))
        .collect();
    let type_info_cell = c.layout.type_info_cell().map(str::to_string);
    let facts = format!(
        "class {} open={} : {:?} {interfaces:?} @{} cell={:?}",
        c.name, c.open, base, c.type_info, type_info_cell
    );
    Class {
        name: c.name.clone(),
        type_info: c.type_info.clone(),
        type_info_cell,
        base,
        interfaces,
        type_params: class_type_params(m, c),
        fields,
        methods,
        init,
        exported: c.visibility == Visibility::Export,
        open: c.open,
        fingerprint: fingerprint(&facts),
    }
}

/// An access level as the language writes it.
pub(crate) fn access_word(a: Access) -> &'static str {
    match a {
        Access::Private => "private",
        Access::Internal => "internal",
        Access::Protected => "protected",
        Access::Public => "public",
    }
}

/// The bytes of an interface file.
pub fn encode(i: &Interface, target: &str, compiler: &str) -> Vec<u8> {
    let stamped = Interface { target: target.to_string(), compiler: compiler.to_string(), ..i.clone() };
    // Serialising plain owned data into a Vec cannot fail.
    let payload = postcard::to_stdvec(&stamped).unwrap_or_default();
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(blake3::hash(&payload).as_bytes());
    out.extend(payload);
    out
}

impl Interface {
    /// (declaration, fingerprint) of every declaration, in order: what a
    /// module registers with the runtime for `loadLibrary`'s checks.
    pub fn fingerprints(&self) -> Vec<(String, String)> {
        self.functions
            .iter()
            .map(|f| (f.name.clone(), f.fingerprint.clone()))
            .chain(self.globals.iter().map(|g| (g.name.clone(), g.fingerprint.clone())))
            .chain(self.classes.iter().map(|c| (c.name.clone(), c.fingerprint.clone())))
            .chain(self.classes.iter().flat_map(|c| c.member_fingerprints().map(|(n, f)| (n, f.to_string()))))
            .chain(self.interfaces.iter().flat_map(|i| {
                let methods = i.methods.iter().map(|x| (format!("{}.{}", i.name, x.name), x.fingerprint.clone()));
                std::iter::once((i.name.clone(), i.fingerprint.clone())).chain(methods)
            }))
            .chain(self.enums.iter().flat_map(|e| {
                let cases = e.cases.iter().map(|c| (crate::enums::case_decl(&e.name, &c.name), c.fingerprint.clone()));
                std::iter::once((crate::enums::cases_decl(&e.name), e.fingerprint.clone())).chain(cases)
            }))
            .collect()
    }
}

/// Reads an interface file; the error says in words what is wrong with it.
pub fn decode(bytes: &[u8]) -> Result<Interface, String> {
    if bytes.len() < 8 || &bytes[..4] != MAGIC {
        return Err("not a Tessera interface file (it does not start with `TESI`)".into());
    }
    let version = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    if version != FORMAT_VERSION {
        return Err(format!(
            "written in interface format version {version}, and this compiler reads version {FORMAT_VERSION} (rebuild the module)"
        ));
    }
    let Some((sum, payload)) = bytes[8..].split_first_chunk::<CHECKSUM_BYTES>() else {
        return Err("damaged: it ends before its checksum".into());
    };
    if blake3::hash(payload).as_bytes() != sum {
        return Err("damaged: its contents do not match its checksum (rebuild the module)".into());
    }
    match postcard::take_from_bytes::<Interface>(payload) {
        Ok((i, [])) => Ok(i),
        Ok((_, rest)) => Err(format!("damaged: {} unexpected bytes after its contents", rest.len())),
        Err(_) => Err("damaged: its contents cannot be read (rebuild the module)".into()),
    }
}

impl TypeRef {
    /// As written in a generic function's signature, its type parameters
    /// by their `names`.
    pub fn shown(&self, names: &[&str]) -> String {
        let s = |t: &TypeRef| t.shown(names);
        match self {
            TypeRef::Param(k) => names.get(*k as usize).map_or_else(|| self.to_string(), |n| n.to_string()),
            TypeRef::Array(e) => format!("[{}]", s(e)),
            TypeRef::Generic(c, args) | TypeRef::Interface(c, args) if !args.is_empty() => {
                format!("{c}[{}]", args.iter().map(s).collect::<Vec<_>>().join(", "))
            }
            TypeRef::Map(k, v) => format!("Map[{}, {}]", s(k), s(v)),
            TypeRef::Set(e) => format!("Set[{}]", s(e)),
            TypeRef::Optional(e) => format!("{}?", s(e)),
            TypeRef::Fn(ps, r) => {
                let ps: Vec<String> = ps.iter().map(s).collect();
                format!("fn({}) -> {}", ps.join(", "), s(r))
            }
            other => other.to_string(),
        }
    }
}

impl std::fmt::Display for TypeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TypeRef::Void => write!(f, "Void"),
            TypeRef::Int => write!(f, "Int"),
            TypeRef::Int32 => write!(f, "Int32"),
            TypeRef::Float => write!(f, "Float"),
            TypeRef::Bool => write!(f, "Bool"),
            TypeRef::Str => write!(f, "String"),
            TypeRef::CString => write!(f, "CString"),
            TypeRef::CPointer => write!(f, "CPointer"),
            TypeRef::Array(e) => write!(f, "[{e}]"),
            TypeRef::Map(k, v) => write!(f, "Map[{k}, {v}]"),
            TypeRef::Set(e) => write!(f, "Set[{e}]"),
            TypeRef::Optional(e) => write!(f, "{e}?"),
            TypeRef::Fn(ps, r) => {
                let ps: Vec<String> = ps.iter().map(|p| p.to_string()).collect();
                write!(f, "fn({}) -> {r}", ps.join(", "))
            }
            TypeRef::Class(c) => write!(f, "{c}"),
            TypeRef::Interface(c, args) if args.is_empty() => write!(f, "{c}"),
            TypeRef::Param(k) => write!(f, "T{k}"),
            TypeRef::Any => write!(f, "Any"),
            TypeRef::Generic(c, args) | TypeRef::Interface(c, args) => {
                let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
                write!(f, "{c}[{}]", args.join(", "))
            }
        }
    }
}

/// `tess interface`: the interface as text.
pub fn describe(i: &Interface) -> String {
    let mut out = format!(
        "module {}\nformat {}\ntarget {}\ncompiler {}\nfingerprint {}\n",
        i.module, FORMAT_VERSION, i.target, i.compiler, i.fingerprint
    );
    out += &format!("library {}\n", if i.shared { "shared" } else { "static" });
    for d in &i.dependencies {
        out += &format!("depends on {}\n", d.module);
    }
    let vis = |e: bool| if e { "export" } else { "public" };
    for f in &i.functions {
        out += &format!(
            "{} fn {}{}  [symbol {}, may throw: {}, fingerprint {}]\n",
            vis(f.exported),
            f.name,
            f.shown_signature(),
            f.symbol,
            f.may_throw,
            f.fingerprint
        );
    }
    for g in &i.globals {
        let kw = match (g.shared, g.mutable) {
            (true, _) => "shared var",
            (false, true) => "var",
            (false, false) => "let",
        };
        out += &format!(
            "{} {} {}: {}  [symbol {}, fingerprint {}]\n",
            vis(g.exported),
            kw,
            g.name,
            g.ty,
            g.symbol,
            g.fingerprint
        );
    }
    for e in &i.enums {
        out += &format!("{} enum {}  [fingerprint of its cases {}]\n", vis(e.exported), e.name, e.fingerprint);
        for c in &e.cases {
            let payload = c.payload.as_ref().map(|p| format!("({})", p.join(", "))).unwrap_or_default();
            out += &format!("    case {}{payload}  [fingerprint {}]\n", c.name, c.fingerprint);
        }
    }
    for x in &i.interfaces {
        let tps = match x.type_params.is_empty() {
            true => String::new(),
            false => format!("[{}]", x.type_params.join(", ")),
        };
        let names: Vec<&str> = x.type_params.iter().map(String::as_str).collect();
        let supers = match x.supers.is_empty() {
            true => String::new(),
            false => format!(" : {}", x.supers.iter().map(|t| t.shown(&names)).collect::<Vec<_>>().join(", ")),
        };
        out += &format!(
            "{} interface {}{tps}{supers}  [descriptor {}, fingerprint {}]\n",
            vis(x.exported),
            x.name,
            x.descriptor,
            x.fingerprint
        );
        for m in &x.methods {
            let ps: Vec<String> = m.params.iter().map(|p| p.shown(&names)).collect();
            let default = if m.has_default { ", default body" } else { "" };
            out += &format!(
                "    fn {}({}) -> {}  [slot {}{default}, fingerprint {}]\n",
                m.name,
                ps.join(", "),
                m.ret.shown(&names),
                m.slot_cell,
                m.fingerprint
            );
        }
    }
    for c in &i.classes {
        let names: Vec<&str> = c.type_params.iter().map(|p| p.name.as_str()).collect();
        let mut supers: Vec<String> = c.base.iter().cloned().collect();
        supers.extend(c.interfaces.iter().map(|i| i.shown(&names)));
        let base = if supers.is_empty() { String::new() } else { format!(" : {}", supers.join(", ")) };
        let built = c.type_info_cell.as_deref().map(|t| format!(", built at run time in {t}")).unwrap_or_default();
        out += &format!(
            "{}{} class {}{}  [type info {}{built}, fingerprint {}]\n",
            vis(c.exported),
            if c.open { " open" } else { "" },
            c.name,
            base,
            c.type_info,
            c.fingerprint
        );
        for f in &c.fields {
            let kind = if f.mutable { "var" } else { "let" };
            out += &format!(
                "    {} {kind} {}: {}  [offset in {}, fingerprint {}]\n",
                access_word(f.access),
                f.name,
                f.ty,
                f.offset_cell,
                f.fingerprint
            );
        }
        if let Some(init) = &c.init {
            let ps: Vec<String> = init.params.iter().map(|p| p.to_string()).collect();
            out += &format!(
                "    {} init({})  [symbol {}, fingerprint {}]\n",
                access_word(init.access),
                ps.join(", "),
                init.symbol,
                init.fingerprint
            );
        }
        for m in &c.methods {
            let ps: Vec<String> = m.params.iter().map(|p| p.to_string()).collect();
            let slot = m.slot_cell.as_deref().map_or_else(|| "direct".to_string(), |s| format!("slot in {s}"));
            let fin = if m.is_final { "final " } else { "" };
            out += &format!(
                "    {} {fin}fn {}({}) -> {}  [{}, symbol {}, fingerprint {}]\n",
                access_word(m.access),
                m.name,
                ps.join(", "),
                m.ret,
                slot,
                m.symbol,
                m.fingerprint
            );
        }
    }
    out
}
