//! The types of the variables a debugger shows (`debug_info.rs`), taken
//! from the HIR while it exists: a table that holds nothing of it, so an
//! object's debug sections can be written after the bodies are freed.
//! Each type is described once, by its name; classes refer to each other
//! (and to themselves) by index.

use std::collections::HashMap;
use tess_abi::layout;
use tess_sema::hir;
use tess_sema::ty::{ClassId, Ty};

/// A type of [`DebugTypes`], by index.
pub(crate) type TypeRef = u32;

/// How a debugger reads a value of a type.
pub(crate) enum TypeDesc {
    /// A value held in the word itself (`Int`, `Float`, `Bool`): its name,
    /// its DWARF encoding and size in bytes.
    Base { name: &'static str, encoding: gimli::DwAte, size: u8 },
    /// A reference to a collected object described field by field: its
    /// name, its base class (whose fields come first) and its own fields
    /// (name, byte offset, type). Fields whose offsets only the running
    /// program knows (a resilient layout's) are left out.
    Object { name: String, base: Option<TypeRef>, fields: Vec<(String, u32, TypeRef)> },
    /// The element buffer of an array: a pointer to its first element.
    Elements(TypeRef),
    /// Elements held in the object itself, as many as its length says (a
    /// string's bytes).
    Inline(TypeRef),
    /// A reference to an object a debugger cannot look into (maps,
    /// functions, interfaces, ...), named by its type.
    Opaque(String),
}

/// The types of an object's variables.
#[derive(Default)]
pub(crate) struct DebugTypes {
    pub list: Vec<TypeDesc>,
    index: HashMap<String, TypeRef>,
}

impl DebugTypes {
    /// The type of a variable of type `ty` in `hir`'s code.
    pub fn of(&mut self, hir: &hir::Module, ty: &Ty) -> TypeRef {
        let key = match ty {
            Ty::Class(id, _) => format!("class {id}"),
            _ => ty.to_string(),
        };
        if let Some(&r) = self.index.get(&key) {
            return r;
        }
        // An optional reference is the reference, or null.
        match ty {
            Ty::Optional(inner) if inner.is_ref() => {
                let r = self.of(hir, inner);
                self.index.insert(key, r);
                return r;
            }
            _ => {}
        }
        let r = self.list.len() as TypeRef;
        self.list.push(TypeDesc::Opaque(ty.to_string()));
        self.index.insert(key, r);
        let base = |name, encoding, size| TypeDesc::Base { name, encoding, size };
        let desc = match ty {
            Ty::Int => base("Int", gimli::DW_ATE_signed, 8),
            Ty::Int32 => base("Int32", gimli::DW_ATE_signed, 4),
            Ty::Float => base("Float", gimli::DW_ATE_float, 8),
            Ty::Bool => base("Bool", gimli::DW_ATE_boolean, 1),
            Ty::Str => {
                let len = self.of(hir, &Ty::Int);
                let bytes = self.bytes();
                let fields = vec![
                    ("len".to_string(), layout::string::LEN as u32, len),
                    ("bytes".to_string(), layout::string::BYTES as u32, bytes),
                ];
                TypeDesc::Object { name: "String".into(), base: None, fields }
            }
            Ty::Array(element) => {
                let len = self.of(hir, &Ty::Int);
                let element = self.of(hir, element);
                let data = self.list.len() as TypeRef;
                self.list.push(TypeDesc::Elements(element));
                let fields = vec![
                    ("len".to_string(), layout::array::LEN as u32, len),
                    ("cap".to_string(), layout::array::CAP as u32, len),
                    ("data".to_string(), layout::array::DATA as u32, data),
                ];
                TypeDesc::Object { name: ty.to_string(), base: None, fields }
            }
            Ty::Optional(inner) => {
                let value = self.of(hir, inner);
                let fields = vec![("value".to_string(), layout::boxed::VALUE as u32, value)];
                TypeDesc::Object { name: ty.to_string(), base: None, fields }
            }
            Ty::Class(id, _) => self.class(hir, *id),
            _ => return r,
        };
        self.list[r as usize] = desc;
        r
    }

    /// A string's bytes, as C `char`s.
    fn bytes(&mut self) -> TypeRef {
        let char_ty = self.list.len() as TypeRef;
        self.list.push(TypeDesc::Base { name: "char", encoding: gimli::DW_ATE_unsigned_char, size: 1 });
        let r = self.list.len() as TypeRef;
        self.list.push(TypeDesc::Inline(char_ty));
        r
    }

    fn class(&mut self, hir: &hir::Module, id: ClassId) -> TypeDesc {
        let class = &hir.classes[id];
        // A base without fields (`Object`) would only add a level to print.
        let base = class
            .base
            .filter(|&b| !hir.classes[b].fields.is_empty())
            .map(|b| self.of(hir, &Ty::Class(b, hir.classes[b].name.clone().into())));
        let inherited = class.base.map_or(0, |b| hir.classes[b].fields.len());
        let fields = class.fields[inherited..]
            .iter()
            .filter_map(|f| match f.offset {
                hir::Offset::Fixed(offset) => Some((f.name.clone(), offset, self.of(hir, &f.ty))),
                hir::Offset::Cell(_) => None,
            })
            .collect();
        TypeDesc::Object { name: class.name.clone(), base, fields }
    }
}
