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
    assert_eq!(h["result"]["contents"]["value"], json!("```tessera\nfn add(Int, Int) -> Int\n```"));
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
    assert_eq!(r["result"]["signatures"][0]["label"], json!("fn add(Int, Int) -> Int"), "{r}");
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
    assert_eq!(h["result"]["contents"]["value"], json!("```tessera\nfn add(Int, Int) -> Int\n```"));
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
    assert_eq!(h["result"]["contents"]["value"], json!("```tessera\nexport fn triple(Int) -> Int\n```"));
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
