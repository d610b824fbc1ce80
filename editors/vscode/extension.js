// Starts `tess lsp` for Tessera documents (docs/editors.md, "VS Code").
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("tessera");
  const command = config.get("server.path", "tess");
  const args = ["lsp"];
  for (const dir of config.get("server.searchPaths", [])) {
    args.push("-I", dir);
  }
  client = new LanguageClient(
    "tessera",
    "Tessera",
    { command, args },
    { documentSelector: [{ scheme: "file", language: "tessera" }] }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
