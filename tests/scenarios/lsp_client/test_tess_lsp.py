"""`tess lsp` driven by a real LSP client library (pytest-lsp, on pygls and
lsprotocol), every feature, on a package whose document has a type error
(`let broken: String = 1`) that must silence nothing else (issue 33)."""
import pathlib

import pytest
import pytest_lsp
from lsprotocol import types as t
from pytest_lsp import ClientServerConfig, LanguageClient

PKG = pathlib.Path(__file__).parent / "pkg"
GEO = PKG / "src" / "geo" / "geo.tes"
URI = GEO.resolve().as_uri()
TEXT = GEO.read_text()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=["tess", "lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        t.InitializeParams(capabilities=t.ClientCapabilities(), root_uri=PKG.resolve().as_uri())
    )
    lsp_client.text_document_did_open(
        t.DidOpenTextDocumentParams(text_document=t.TextDocumentItem(uri=URI, language_id="tessera", version=1, text=TEXT))
    )
    await lsp_client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    yield
    await lsp_client.shutdown_session()


def at(line, character):
    return t.Position(line=line, character=character)


def doc():
    return t.TextDocumentIdentifier(uri=URI)


def change(client, text, version):
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=URI, version=version),
            content_changes=[t.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


@pytest.mark.asyncio
async def test_diagnostics_name_only_the_error(client: LanguageClient):
    diags = client.diagnostics[URI]
    assert [(d.range.start.line, d.message.split("\n")[0]) for d in diags] == [
        (27, "expected String, found Int")
    ]


@pytest.mark.asyncio
async def test_hover_shows_parameters_and_doc(client: LanguageClient):
    hover = await client.text_document_hover_async(t.HoverParams(text_document=doc(), position=at(18, 11)))
    assert hover.contents.value == (
        "```tessera\npublic fn tall(n: Int) -> Rect\n```\n\nA rectangle `n` wide and twice as high."
    )
    hover = await client.text_document_hover_async(t.HoverParams(text_document=doc(), position=at(19, 24)))
    assert hover.contents.value == "```tessera\npublic fn twice(x: Int) -> Int\n```\n\nTwice `x`."


@pytest.mark.asyncio
async def test_definitions(client: LanguageClient):
    found = await client.text_document_definition_async(t.DefinitionParams(text_document=doc(), position=at(25, 17)))
    assert found.range.start.line == 12 and found.uri == URI
    found = await client.text_document_definition_async(t.DefinitionParams(text_document=doc(), position=at(19, 24)))
    assert found.uri.endswith("util/util.tes") and found.range.start.line == 1
    found = await client.text_document_declaration_async(t.DeclarationParams(text_document=doc(), position=at(25, 17)))
    assert found.range.start.line == 12
    found = await client.text_document_type_definition_async(t.TypeDefinitionParams(text_document=doc(), position=at(25, 15)))
    assert found.range.start.line == 3


@pytest.mark.asyncio
async def test_references_highlights_rename(client: LanguageClient):
    refs = await client.text_document_references_async(
        t.ReferenceParams(text_document=doc(), position=at(23, 8), context=t.ReferenceContext(include_declaration=True))
    )
    assert sorted(r.range.start.line for r in refs) == [23, 25, 28]
    marks = await client.text_document_document_highlight_async(t.DocumentHighlightParams(text_document=doc(), position=at(23, 8)))
    assert len(marks) == 3
    edit = await client.text_document_rename_async(t.RenameParams(text_document=doc(), position=at(23, 8), new_name="acc"))
    assert len(edit.changes[URI]) == 3


@pytest.mark.asyncio
async def test_symbols(client: LanguageClient):
    symbols = await client.text_document_document_symbol_async(t.DocumentSymbolParams(text_document=doc()))
    assert [s.name for s in symbols] == ["Rect", "tall", "total"]
    found = await client.workspace_symbol_async(t.WorkspaceSymbolParams(query="twi"))
    assert [(s.name, s.location.uri.rsplit("/", 1)[1]) for s in found] == [("twice", "util.tes")]


@pytest.mark.asyncio
async def test_completion_everywhere(client: LanguageClient):
    async def labels(text, line, character):
        change(client, text, 2)
        items = await client.text_document_completion_async(t.CompletionParams(doc(), at(line, character)))
        items = items.items if hasattr(items, "items") else items
        return [i.label for i in items]

    # After a call, a module, a chain of members.
    typed = TEXT.replace("    return Rect(n, util.twice(n))", "    tall(1).\n    return Rect(n, util.twice(n))")
    assert await labels(typed, 19, 12) == ["area", "h", "label", "w"]
    typed = TEXT.replace("    return Rect(n, util.twice(n))", "    util.\n    return Rect(n, util.twice(n))")
    assert await labels(typed, 19, 9) == ["twice"]
    typed = TEXT.replace("    return Rect(n, util.twice(n))", "    tall(1).label.le\n    return Rect(n, util.twice(n))")
    assert await labels(typed, 19, 20) == ["len"]
    # A name: locals, parameters, the module's declarations, keywords.
    typed = TEXT.replace("        sum += r.area()", "        sum += \n")
    names = await labels(typed, 25, 15)
    assert {"sum", "r", "rs", "tall", "Rect", "for"} <= set(names)


@pytest.mark.asyncio
async def test_signature_help(client: LanguageClient):
    typed = TEXT.replace("    return Rect(n, util.twice(n))", "    return Rect(n, ")
    change(client, typed, 3)
    help = await client.text_document_signature_help_async(t.SignatureHelpParams(text_document=doc(), position=at(19, 19)))
    assert help.active_parameter == 1


@pytest.mark.asyncio
async def test_code_action_inlay_hints_tokens(client: LanguageClient):
    typed = TEXT.replace("        return self.w * self.h", "        return w * self.h")
    change(client, typed, 4)
    diags = (await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)).diagnostics
    actions = await client.text_document_code_action_async(
        t.CodeActionParams(text_document=doc(), range=t.Range(start=at(0, 0), end=at(40, 0)), context=t.CodeActionContext(diagnostics=diags))
    )
    assert [a.title for a in actions] == ["Add `self.`"]
    change(client, TEXT, 5)
    hints = await client.text_document_inlay_hint_async(t.InlayHintParams(text_document=doc(), range=t.Range(start=at(0, 0), end=at(40, 0))))
    assert [(h.position.line, h.label) for h in hints] == [(23, ": Int")]
    tokens = await client.text_document_semantic_tokens_full_async(t.SemanticTokensParams(text_document=doc()))
    assert len(tokens.data) % 5 == 0 and len(tokens.data) > 100


@pytest.mark.asyncio
async def test_formatting(client: LanguageClient):
    messy = TEXT.replace("    var sum = 0", "    var   sum =   0").replace("    return sum", "    return   sum")
    change(client, messy, 6)
    edits = await client.text_document_range_formatting_async(
        t.DocumentRangeFormattingParams(text_document=doc(), range=t.Range(start=at(23, 0), end=at(23, 3)), options=t.FormattingOptions(tab_size=4, insert_spaces=True))
    )
    assert [(e.range.start.line, e.new_text) for e in edits] == [(23, "    var sum = 0\n")]
    edits = await client.text_document_formatting_async(t.DocumentFormattingParams(text_document=doc(), options=t.FormattingOptions(tab_size=4, insert_spaces=True)))
    assert len(edits) == 1 and "var sum = 0" in edits[0].new_text and "return sum" in edits[0].new_text
