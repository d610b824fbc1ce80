// Tokenizes a Tessera file with VS Code's own TextMate engine
// (vscode-textmate on vscode-oniguruma) and the extension's grammar, and
// prints each token that has a Tessera scope: `LINE:COL TEXT SCOPE`.
const fs = require("fs");
const path = require("path");
const modules = process.env.NODE_MODULES;
const vsctm = require(path.join(modules, "vscode-textmate"));
const oniguruma = require(path.join(modules, "vscode-oniguruma"));

const wasm = fs.readFileSync(path.join(modules, "vscode-oniguruma/release/onig.wasm")).buffer;
const ready = oniguruma.loadWASM(wasm).then(() => ({
  createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
  createOnigString: (s) => new oniguruma.OnigString(s),
}));
const [grammarPath, sourcePath] = process.argv.slice(2);
const registry = new vsctm.Registry({
  onigLib: ready,
  loadGrammar: async () => vsctm.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath),
});
registry.loadGrammar("source.tessera").then((grammar) => {
  let state = vsctm.INITIAL;
  fs.readFileSync(sourcePath, "utf8").split("\n").forEach((line, i) => {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) {
      const scope = t.scopes[t.scopes.length - 1];
      const text = line.slice(t.startIndex, t.endIndex);
      if (scope !== "source.tessera" && text.trim()) {
        console.log(`${i + 1}:${t.startIndex + 1} ${text} ${scope}`);
      }
    }
    state = r.ruleStack;
  });
});
