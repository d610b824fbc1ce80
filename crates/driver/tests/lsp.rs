//! `tess lsp` driven as an editor drives it: JSON-RPC over the server's
//! standard input and output (issue 13).

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

mod common;

struct Client {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Client {
    fn start(dir: &std::path::Path) -> Client {
        Client::start_with(dir, &[])
    }

    fn start_with(dir: &std::path::Path, args: &[&str]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tess"))
            .arg("lsp")
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("tess lsp starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Client { child, stdin, stdout }
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn receive(&mut self) -> Value {
        let mut len = 0;
        loop {
            let mut line = String::new();
            self.stdout.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                len = n.parse().unwrap();
            }
        }
        let mut body = vec![0; len];
        self.stdout.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    /// The next message that is not a log or progress notification.
    fn next(&mut self, method: Option<&str>) -> Value {
        loop {
            let m = self.receive();
            match (method, m.get("method").and_then(Value::as_str)) {
                (Some(want), Some(got)) if want == got => return m,
                (None, None) => return m,
                _ => {}
            }
        }
    }

    fn request(&mut self, id: i64, method: &str, params: Value) -> Value {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.next(None)
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn diagnostics(&mut self) -> Vec<Value> {
        let m = self.next(Some("textDocument/publishDiagnostics"));
        m["params"]["diagnostics"].as_array().cloned().unwrap_or_default()
    }
}

#[test]
fn an_editing_session() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let file = dir.join("a.tes");
    std::fs::write(&file, "").unwrap();
    let uri = format!("file://{}", file.display());
    let mut c = Client::start(dir);
    let init = c.request(1, "initialize", json!({"capabilities": {}, "rootUri": null, "processId": null}));
    assert_eq!(init["result"]["capabilities"]["documentFormattingProvider"], json!(true));
    c.notify("initialized", json!({}));

    // An error: reported at its range.
    let text = "let x: Int = \"no\"\nprint(x)\n";
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "tessera", "version": 1, "text": text}}),
    );
    let d = c.diagnostics();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["range"]["start"], json!({"line": 0, "character": 13}));
    assert!(d[0]["message"].as_str().unwrap().contains("expected Int, found String"), "{d:?}");

    // Fixed: no diagnostics.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": "let x: Int = 2\nprint( x )\n"}]}),
    );
    assert!(c.diagnostics().is_empty());

    // Formatting: the whole document replaced by `tess fmt`'s layout.
    let f = c.request(
        2,
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert_eq!(f["result"][0]["newText"], json!("let x: Int = 2\nprint(x)\n"));

    // Half-typed: errors, and the server goes on.
    for (v, t) in [(3, "let y = foo("), (4, "class A { fn"), (5, "print(\"\\(")] {
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": v}, "contentChanges": [{"text": t}]}),
        );
        assert!(!c.diagnostics().is_empty(), "{t}");
    }

    let down = c.request(6, "shutdown", json!(null));
    assert_eq!(down["result"], json!(null));
    c.notify("exit", json!(null));
    drop(c.stdin);
    assert!(c.child.wait().unwrap().success());
}

/// The test data of this file: `tests/lsp/PATH` in the repository.
fn data(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/lsp").join(path)
}

/// The package `tests/lsp/package` (module `geo`, with `b.tes`) and the
/// document `tests/lsp/documents/NAME` as its `a.tes`, opened in a
/// started server: the client, the document's URI and its text.
fn open_in_package(pkg: &std::path::Path, document: &str) -> (Client, String, String) {
    common::copy_dir(&data("package"), pkg, &[]).unwrap();
    let text = std::fs::read_to_string(data("documents").join(document)).unwrap();
    let file = pkg.join("src/geo/a.tes");
    std::fs::write(&file, &text).unwrap();
    let (c, uri) = start_and_open(pkg, &file, &text);
    (c, uri, text)
}

/// A server started in `dir`, initialised, with `file` (holding `text`)
/// open: the client and the file's URI.
fn start_and_open(dir: &std::path::Path, file: &std::path::Path, text: &str) -> (Client, String) {
    let mut c = Client::start(dir);
    c.request(1, "initialize", json!({"capabilities": {}, "rootUri": null, "processId": null}));
    c.notify("initialized", json!({}));
    let uri = format!("file://{}", file.display());
    let doc = json!({"textDocument": {"uri": uri, "languageId": "tessera", "version": 1, "text": text}});
    c.notify("textDocument/didOpen", doc);
    (c, uri)
}

impl Client {
    fn shut_down(mut self) {
        self.request(99, "shutdown", json!(null));
        self.notify("exit", json!(null));
        drop(self.stdin);
        assert!(self.child.wait().unwrap().success());
    }
}

/// A file of a package's module is checked with the module's other files.
#[test]
fn a_module_in_a_package() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut c, _, _) = open_in_package(tmp.path(), "two.tes");
    assert!(c.diagnostics().is_empty());
    c.shut_down();
}

/// Go-to-definition and hover: locals, functions, classes, fields and
/// methods, within a file and into another file of the module.
#[test]
fn definitions_and_hover() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut c, uri, text) = open_in_package(tmp.path(), "points.tes");
    assert!(c.diagnostics().is_empty());
    let at = |line: u32, character: u32| json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}});
    let mut id = 2;
    let mut def = |c: &mut Client, line, ch| {
        id += 1;
        let r = c.request(id, "textDocument/definition", at(line, ch));
        let loc = &r["result"];
        (
            loc["uri"].as_str().unwrap_or("").rsplit('/').next().unwrap_or("").to_string(),
            loc["range"]["start"]["line"].clone(),
        )
    };
    // `add` in `return add(...)` (line 11) is declared on line 0.
    assert_eq!(def(&mut c, 11, 12), ("a.tes".to_string(), json!(0)));
    // `p` is the local of line 10; `x` the field of line 4.
    assert_eq!(def(&mut c, 11, 15), ("a.tes".to_string(), json!(10)));
    assert_eq!(def(&mut c, 11, 17), ("a.tes".to_string(), json!(4)));
    // `twice` the method of line 5; `Point` the class of line 3.
    assert_eq!(def(&mut c, 11, 37), ("a.tes".to_string(), json!(5)));
    assert_eq!(def(&mut c, 10, 13), ("a.tes".to_string(), json!(3)));
    // `helper` is in the module's other file.
    assert_eq!(def(&mut c, 11, 22), ("b.tes".to_string(), json!(0)));
    let h = c.request(20, "textDocument/hover", at(11, 12));
    assert_eq!(h["result"]["contents"]["value"], json!("```tessera\nfn add(a: Int, b: Int) -> Int\n```"));
    let h = c.request(21, "textDocument/hover", at(11, 17));
    assert_eq!(h["result"]["contents"]["value"], json!("```tessera\nvar Point.x: Int\n```"));
    // Nothing there: null.
    let r = c.request(22, "textDocument/definition", at(2, 0));
    assert_eq!(r["result"], json!(null));
    // References (the declaration and its uses), highlights within the
    // file, and the outline (issue 33).
    let lines_of = |r: &Value| -> Vec<u64> {
        r["result"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| l["range"]["start"]["line"].as_u64().unwrap_or(99))
            .collect()
    };
    let mut refs = at(11, 12);
    refs["context"] = json!({"includeDeclaration": true});
    let r = c.request(40, "textDocument/references", refs);
    assert_eq!(lines_of(&r), vec![0, 11], "{r}");
    let r = c.request(41, "textDocument/documentHighlight", at(11, 15));
    assert_eq!(lines_of(&r), vec![10, 11, 11], "{r}");
    let r = c.request(42, "textDocument/documentSymbol", json!({"textDocument": {"uri": uri}}));
    let names: Vec<&str> = r["result"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["add", "Point", "run"]);
    let members: Vec<&str> =
        r["result"][1]["children"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(members, ["x", "twice"]);
    // Signature help inside `add(p.x, helper())`: the callee, second argument.
    let r = c.request(45, "textDocument/signatureHelp", at(11, 22));
    assert_eq!(r["result"]["signatures"][0]["label"], json!("fn add(a: Int, b: Int) -> Int"), "{r}");
    assert_eq!(r["result"]["activeParameter"], json!(1));
    // Rename `add` (line 0, used on line 11); a non-name is refused.
    let mut rename = at(11, 12);
    rename["newName"] = json!("sum");
    let r = c.request(43, "textDocument/rename", rename.clone());
    let edits = r["result"]["changes"][&uri].as_array().unwrap();
    let edited: Vec<(u64, &str)> =
        edits.iter().map(|e| (e["range"]["start"]["line"].as_u64().unwrap(), e["newText"].as_str().unwrap())).collect();
    assert_eq!(edited, [(0, "sum"), (11, "sum")]);
    rename["newName"] = json!("1x");
    let r = c.request(44, "textDocument/rename", rename);
    assert!(r["error"]["message"].as_str().unwrap().contains("not a name"), "{r}");
    // A type error on the last line silences nothing else (issue 33).
    let broken = format!("{text}let bad: String = 1\n");
    let change = json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": broken}]});
    c.notify("textDocument/didChange", change);
    assert_eq!(c.diagnostics().len(), 1);
    let h = c.request(23, "textDocument/hover", at(11, 12));
    assert_eq!(h["result"]["contents"]["value"], json!("```tessera\nfn add(a: Int, b: Int) -> Int\n```"));
    assert_eq!(def(&mut c, 11, 17), ("a.tes".to_string(), json!(4)));

    // Completion of a half-typed member and of a module name.
    let typed = text.replace("    return add(p.x", "    p.tw\n    return add(p.x");
    let change = json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": typed}]});
    c.notify("textDocument/didChange", change);
    assert!(!c.diagnostics().is_empty());
    let labels = |r: &Value| -> Vec<String> {
        r["result"].as_array().into_iter().flatten().map(|i| i["label"].as_str().unwrap_or("").to_string()).collect()
    };
    let r = c.request(24, "textDocument/completion", at(11, 8));
    assert_eq!(labels(&r), vec!["twice".to_string()]);
    let r = c.request(25, "textDocument/completion", at(11, 6));
    assert_eq!(labels(&r), vec!["twice".to_string(), "x".to_string()]);
    // Where editors ask most: inside a call, after `if`, in an expression.
    for (n, line) in ["    print(p.", "    if p.", "    let q = p.x + p."].iter().enumerate() {
        let typed = text.replace("    return add(p.x", &format!("{line}\n    return add(p.x"));
        let version = 10 + n as i64;
        let change = json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": typed}]});
        c.notify("textDocument/didChange", change);
        c.diagnostics();
        let r = c.request(30 + n as i64, "textDocument/completion", at(11, line.len() as u32));
        assert_eq!(labels(&r), vec!["twice".to_string(), "x".to_string()], "{line}");
    }
    // The members of strings, arrays and maps (issue 33).
    let typed = text.replace(
        "    return add(p.x",
        "    let s = \"ab\"\n    let xs = [1]\n    let m = [\"k\": 1]\n    s.su\n    xs.po\n    m.\n    return add(p.x",
    );
    let change = json!({"textDocument": {"uri": uri, "version": 4}, "contentChanges": [{"text": typed}]});
    c.notify("textDocument/didChange", change);
    c.diagnostics();
    let r = c.request(27, "textDocument/completion", at(14, 8));
    assert_eq!(labels(&r), vec!["substring".to_string()]);
    let r = c.request(28, "textDocument/completion", at(15, 9));
    assert_eq!(labels(&r), vec!["pop".to_string()]);
    let r = c.request(29, "textDocument/completion", at(16, 6));
    assert_eq!(labels(&r), ["contains", "keys", "len", "remove"].map(String::from).to_vec());
    let typed = format!("import g\n{text}");
    let change = json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": typed}]});
    c.notify("textDocument/didChange", change);
    c.diagnostics();
    let r = c.request(26, "textDocument/completion", at(0, 8));
    assert_eq!(labels(&r), vec!["geo".to_string()]);
    c.shut_down();
}

/// Definitions in other modules: a package's other module (in its
/// sources), and a module only available compiled on `-I` (in the text of
/// its interface).
#[test]
fn definitions_in_other_modules() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // `tests/lsp/other_modules`: a compiled module whose sources are then
    // gone, and a package whose `geo` uses `util` and that module.
    common::copy_dir(&data("other_modules"), dir, &[]).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tess"))
        .args(["build", "--lib", "--module", "shapes", "shapes.tes", "--static", "-o", "lib/libshapes.a"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_file(dir.join("shapes.tes")).unwrap();
    let pkg = dir.join("pkg");
    let text = std::fs::read_to_string(pkg.join("src/geo/geo.tes")).unwrap();
    let lib = dir.join("lib");
    let out = Command::new(env!("CARGO_BIN_EXE_tess"))
        .args(["build", "-I", lib.to_str().unwrap()])
        .current_dir(&pkg)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut c = Client::start_with(&pkg, &["-I", lib.to_str().unwrap()]);
    c.request(1, "initialize", json!({"capabilities": {}, "rootUri": null, "processId": null}));
    c.notify("initialized", json!({}));
    let file = pkg.join("src/geo/geo.tes");
    let uri = format!("file://{}", file.display());
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "tessera", "version": 1, "text": text}}),
    );
    assert!(c.diagnostics().is_empty());
    let at = |line: u32, character: u32| json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}});
    // `util.triple`: the package's other module, in its source.
    let r = c.request(2, "textDocument/definition", at(4, 18));
    assert!(r["result"]["uri"].as_str().unwrap().ends_with("/src/util/util.tes"), "{r}");
    assert_eq!(r["result"]["range"]["start"], json!({"line": 0, "character": 10}));
    let h = c.request(5, "textDocument/hover", at(4, 18));
    assert_eq!(h["result"]["contents"]["value"], json!("```tessera\nexport fn triple(x: Int) -> Int\n```"));
    let h = c.request(6, "textDocument/hover", at(4, 36));
    assert_eq!(h["result"]["contents"]["value"], json!("```tessera\nexport class Shape\n```"));
    // `shapes.Shape` and its field: compiled only, so in its interface's text.
    let r = c.request(3, "textDocument/definition", at(4, 36));
    let shown = r["result"]["uri"].as_str().unwrap().strip_prefix("file://").unwrap().to_string();
    assert!(shown.ends_with("shapes.tesi.txt"), "{r}");
    let lines: Vec<String> = std::fs::read_to_string(&shown).unwrap().lines().map(String::from).collect();
    let line = r["result"]["range"]["start"]["line"].as_u64().unwrap() as usize;
    assert!(lines[line].contains("class Shape"), "{}", lines[line]);
    let r = c.request(4, "textDocument/definition", at(4, 45));
    let line = r["result"]["range"]["start"]["line"].as_u64().unwrap() as usize;
    assert!(lines[line].contains("sides"), "{}", lines[line]);
    // Another module's declaration is renamed in its module, not here.
    let mut rename = at(4, 18);
    rename["newName"] = json!("thrice");
    let r = c.request(9, "textDocument/rename", rename);
    assert!(r["error"]["message"].as_str().unwrap().contains("declared in module `util`"), "{r}");
    // Completion after a module's name: its declarations (issue 33).
    let typed = text.replace("    return util", "    shapes.\n    util.tr\n    return util");
    let change = json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": typed}]});
    c.notify("textDocument/didChange", change);
    c.diagnostics();
    let labels = |r: &Value| -> Vec<String> {
        r["result"].as_array().into_iter().flatten().map(|i| i["label"].as_str().unwrap_or("").to_string()).collect()
    };
    let r = c.request(7, "textDocument/completion", at(4, 11));
    assert_eq!(labels(&r), vec!["Shape".to_string()]);
    let r = c.request(8, "textDocument/completion", at(5, 11));
    assert_eq!(labels(&r), vec!["triple".to_string()]);
    c.shut_down();
}

/// A fresh checkout (`tests/lsp/fresh`, never built): the package's
/// modules import each other, and a saved edit to one
/// (`tests/lsp/fresh_edits`) is seen by the others (issue 33).
#[test]
fn sibling_modules_from_sources() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = tmp.path();
    common::copy_dir(&data("fresh"), pkg, &[]).unwrap();
    let geo = pkg.join("src/geo/geo.tes");
    let text = std::fs::read_to_string(&geo).unwrap();
    let (mut c, uri) = start_and_open(pkg, &geo, &text);
    assert!(c.diagnostics().is_empty(), "the package was never built, yet `util` is found");
    // `util` gains `thrice`, saved: `geo` may use it at once.
    let util = pkg.join("src/util/util.tes");
    std::fs::copy(data("fresh_edits/util.tes"), &util).unwrap();
    let util_uri = format!("file://{}", util.display());
    c.notify("textDocument/didSave", json!({"textDocument": {"uri": util_uri}}));
    c.diagnostics();
    let typed = std::fs::read_to_string(data("fresh_edits/geo.tes")).unwrap();
    let change = json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": typed}]});
    c.notify("textDocument/didChange", change);
    assert!(c.diagnostics().is_empty());
    c.shut_down();
}

/// The features rust-analyzer's and gopls's users expect (issue 33), on
/// `tests/lsp/documents/features.tes`: hover with parameter names and doc
/// comments, completion after calls and chains, of names in scope, of
/// keywords and of snippets in a class, inlay hints, semantic tokens,
/// type definitions, workspace symbols and range formatting.
#[test]
fn the_features_editors_expect() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut c, uri, text) = open_in_package(tmp.path(), "features.tes");
    assert!(c.diagnostics().is_empty());
    let at = |line: u32, character: u32| json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}});
    let whole = json!({"start": {"line": 0, "character": 0}, "end": {"line": 40, "character": 0}});
    // Hover: the signature as written and the `///` lines above it.
    let h = c.request(2, "textDocument/hover", at(21, 14));
    assert_eq!(h["result"]["contents"]["value"], json!("```tessera\nfn Point.twice() -> Int\n```\n\nTwice its `x`."));
    let h = c.request(3, "textDocument/hover", at(20, 13));
    assert_eq!(h["result"]["contents"]["value"], json!("```tessera\nfn make(x: Int) -> Point\n```\n\nMakes a point."));
    let edit = |c: &mut Client, version: i64, from: &str, to: &str| {
        let changed = text.replace(from, to);
        let change = json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": changed}]});
        c.notify("textDocument/didChange", change);
        c.diagnostics();
    };
    let labels = |r: &Value| -> Vec<String> {
        r["result"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap().to_string()).collect()
    };
    // After a call, and after a chain of members: the result's members,
    // with their types.
    edit(&mut c, 2, "    return n + s.len", "    let q = make(1).\n    return n + s.len");
    let r = c.request(4, "textDocument/completion", at(23, 20));
    assert_eq!(labels(&r), ["label", "twice", "x"], "{r}");
    assert_eq!(r["result"][1]["detail"], json!("fn twice() -> Int"));
    assert_eq!(r["result"][1]["documentation"]["value"], json!("Twice its `x`."));
    assert_eq!(r["result"][0]["detail"], json!("String"));
    edit(&mut c, 3, "    return n + s.len", "    let r = p.label.st\n    return n + s.len");
    let r = c.request(5, "textDocument/completion", at(23, 22));
    assert_eq!(labels(&r), ["startsWith"], "{r}");
    // Where a name goes: the locals before the cursor and the parameters,
    // the module's declarations (with the other file's), keywords.
    edit(&mut c, 4, "    return n + s.len", "    return n + \n");
    let r = c.request(6, "textDocument/completion", at(23, 15));
    let names = labels(&r);
    for expected in ["p", "n", "s", "make", "run", "Point", "helper", "return", "let"] {
        assert!(names.contains(&expected.to_string()), "{expected} in {names:?}");
    }
    assert!(!names.iter().any(|n| n.starts_with('<')), "{names:?}");
    let make = r["result"].as_array().unwrap().iter().find(|i| i["label"] == "make").unwrap();
    assert_eq!(make["detail"], json!("fn make(x: Int) -> Point"));
    assert_eq!(make["documentation"]["value"], json!("Makes a point."));
    // In a class body: snippets for `init` and `override fn`.
    edit(&mut c, 5, "    /// Twice", "    ov\n    /// Twice");
    let r = c.request(7, "textDocument/completion", at(8, 6));
    assert_eq!(labels(&r), ["override fn"], "{r}");
    assert_eq!(r["result"][0]["insertTextFormat"], json!(2));
    edit(&mut c, 6, "", "");
    // Inlay hints: the inferred types of `let`s written without one.
    let r = c.request(8, "textDocument/inlayHint", json!({"textDocument": {"uri": uri}, "range": whole}));
    let hints: Vec<(u64, &str)> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["position"]["line"].as_u64().unwrap(), h["label"].as_str().unwrap()))
        .collect();
    assert_eq!(hints, [(20, ": Point"), (21, ": Int"), (22, ": String")]);
    // Semantic tokens: the doc comment, `class`, `Point` as a class ...
    let r = c.request(9, "textDocument/semanticTokens/full", json!({"textDocument": {"uri": uri}}));
    let data: Vec<u64> = r["result"]["data"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    assert_eq!(&data[..10], [0, 0, 25, 3, 0, 1, 0, 5, 0, 0], "{r}");
    let decoded = decode_tokens(&data);
    // `make(3)` on line 20 is a function (4); `p` a variable (8).
    assert!(decoded.contains(&(20, 12, 4, 4)), "{decoded:?}");
    assert!(decoded.contains(&(21, 12, 1, 8)), "{decoded:?}");
    // Type definition: `p`'s type is the class on line 1.
    let r = c.request(10, "textDocument/typeDefinition", at(21, 12));
    assert_eq!(r["result"]["range"]["start"], json!({"line": 1, "character": 6}), "{r}");
    // Workspace symbols: every file of the package.
    let r = c.request(11, "workspace/symbol", json!({"query": "HEL"}));
    assert_eq!(labels_of_symbols(&r), [("helper".to_string(), "b.tes".to_string())]);
    // Range formatting: only the lines asked for.
    edit(&mut c, 7, "    let n = p.twice()\n    let s", "    let n   =   p.twice( )\n    let  s");
    let range = json!({"start": {"line": 21, "character": 0}, "end": {"line": 21, "character": 5}});
    let r = c.request(
        12,
        "textDocument/rangeFormatting",
        json!({"textDocument": {"uri": uri}, "range": range, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert_eq!(
        r["result"],
        json!([{"range": {"start": {"line": 21, "character": 0}, "end": {"line": 22, "character": 0}}, "newText": "    let n = p.twice()\n"}])
    );
    c.shut_down();
}

/// (line, column, length, type) of each semantic token.
fn decode_tokens(data: &[u64]) -> Vec<(u64, u64, u64, u64)> {
    let (mut line, mut col) = (0, 0);
    data.chunks(5)
        .map(|t| {
            line += t[0];
            col = if t[0] == 0 { col + t[1] } else { t[1] };
            (line, col, t[2], t[3])
        })
        .collect()
}

fn labels_of_symbols(r: &Value) -> Vec<(String, String)> {
    r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let file = s["location"]["uri"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
            (s["name"].as_str().unwrap().to_string(), file)
        })
        .collect()
}

/// Code actions fix what the diagnostics name (issue 33): `self.`,
/// `override`, `!`, and an `import` of a module used unimported.
#[test]
fn code_actions_fix_diagnostics() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut c, uri, _) = open_in_package(tmp.path(), "fixes.tes");
    let diags = c.diagnostics();
    assert_eq!(diags.len(), 3, "{diags:?}");
    let whole = json!({"start": {"line": 0, "character": 0}, "end": {"line": 20, "character": 0}});
    let r = c.request(
        2,
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": diags}}),
    );
    let fixes: Vec<(String, Value, String)> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let e = &a["edit"]["changes"][&uri][0];
            (
                a["title"].as_str().unwrap().to_string(),
                e["range"]["start"].clone(),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        fixes,
        [
            ("Add `override`".to_string(), json!({"line": 7, "character": 4}), "override ".to_string()),
            ("Add `self.`".to_string(), json!({"line": 3, "character": 15}), "self.".to_string()),
            ("Unwrap with `!`".to_string(), json!({"line": 12, "character": 12}), "!".to_string()),
        ]
    );
    c.shut_down();
    // A module of the package used without its `import`.
    let tmp = tempfile::tempdir().unwrap();
    let pkg = tmp.path();
    common::copy_dir(&data("fresh"), pkg, &[]).unwrap();
    let geo = pkg.join("src/geo/geo.tes");
    let text = std::fs::read_to_string(data("fresh_edits/geo_without_import.tes")).unwrap();
    std::fs::write(&geo, &text).unwrap();
    let (mut c, uri) = start_and_open(pkg, &geo, &text);
    let diags = c.diagnostics();
    let r = c.request(
        3,
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": diags}}),
    );
    assert_eq!(r["result"][0]["title"], json!("Import `util`"), "{r}");
    assert_eq!(r["result"][0]["edit"]["changes"][&uri][0]["newText"], json!("import util\n"));
    c.shut_down();
}

/// A file of the module open in the editor is checked with its unsaved
/// text, not the file on disk (issue 33).
#[test]
fn open_buffers_win_over_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut c, uri, text) = open_in_package(tmp.path(), "two.tes");
    assert!(c.diagnostics().is_empty());
    let b = tmp.path().join("src/geo/b.tes");
    let b_uri = format!("file://{}", b.display());
    let b_text = std::fs::read_to_string(&b).unwrap();
    let typed = format!("{b_text}fn three() -> Int {{ return 3 }}\n");
    let doc = json!({"textDocument": {"uri": b_uri, "languageId": "tessera", "version": 1, "text": typed}});
    c.notify("textDocument/didOpen", doc);
    c.diagnostics();
    let using = text.replace("return helper()", "return helper() + three()");
    let change = json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": using}]});
    c.notify("textDocument/didChange", change);
    assert!(c.diagnostics().is_empty(), "`three` is in b.tes's unsaved text");
    c.shut_down();
}
