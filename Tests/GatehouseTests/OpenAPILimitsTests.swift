import Foundation
import Testing

@testable import GatewayEngine

/// Size limits that keep every API listable by every client: `tools/list` pages bounded by bytes as well as count,
/// per-tool schema caps, and HTML descriptions read as Markdown (issue 11, "Size").
@Suite struct OpenAPILimitsTests {
    /// A tool entry of about `bytes` bytes of JSON.
    func entry(_ i: Int, bytes: Int) -> JSONValue {
        .object(["name": .string("t\(i)"), "description": .string(String(repeating: "x", count: bytes))])
    }

    @Test func pagesAreBoundedByBytesAndCoverEveryToolOnce() {
        let entries = (0..<40).map { entry($0, bytes: 100_000) }
        var offset = 0
        var names: [String] = []
        var pages = 0
        while true {
            let (tools, next) = ToolsListPaging.page(entries, offset: offset, maxCount: 10_000, maxBytes: 960_000)
            let bytes = JSONValue.array(tools).serialized().count
            #expect(bytes <= 960_000)
            #expect(!tools.isEmpty)
            names += tools.compactMap { $0["name"]?.stringValue }
            pages += 1
            guard let next else { break }
            #expect(next > offset)
            offset = next
        }
        #expect(names == (0..<40).map { "t\($0)" })
        #expect(pages == 5) // 9 tools of ~100 KB per page
    }

    @Test func aListThatFitsIsOnePageWithoutACursor() {
        let entries = (0..<623).map { entry($0, bytes: 500) }
        let (tools, next) = ToolsListPaging.page(entries, offset: 0, maxCount: 10_000, maxBytes: 960_000)
        #expect(tools.count == 623)
        #expect(next == nil)
        // The count bound still applies when configured.
        let (few, more) = ToolsListPaging.page(entries, offset: 600, maxCount: 100, maxBytes: 960_000)
        #expect(few.count == 23 && more == nil)
    }

    @Test func aToolLargerThanThePageStillGetsAPageOfItsOwn() {
        let entries = [entry(0, bytes: 10), entry(1, bytes: 2_000), entry(2, bytes: 10)]
        let first = ToolsListPaging.page(entries, offset: 0, maxCount: 100, maxBytes: 1_000)
        #expect(first.tools.count == 1 && first.next == 1)
        let second = ToolsListPaging.page(entries, offset: 1, maxCount: 100, maxBytes: 1_000)
        #expect(second.tools.count == 1 && second.next == 2)
    }

    @Test func htmlDescriptionsBecomeMarkdown() {
        let stripe =
            #"<p>Creates a <a href="https://stripe.com/docs/api#customers">customer</a> object.</p><p>Use <code>limit</code> &amp; <strong>starting_after</strong>:</p><ul><li>one</li><li>two</li></ul>"#
        #expect(
            DescriptionText.markdown(stripe) == """
                Creates a [customer](https://stripe.com/docs/api#customers) object.

                Use `limit` & **starting_after**:

                - one
                - two
                """)
        #expect(DescriptionText.markdown("Returns <em>all</em> tasks.<br/>Paginated.") == "Returns *all* tasks.\nPaginated.")
        // Text without HTML tags is unchanged: Markdown stays Markdown and `a < b` is not a tag.
        #expect(DescriptionText.markdown("**Bold** and `a < b` and <T>") == "**Bold** and `a < b` and <T>")
        #expect(DescriptionText.markdown("Tom &#39;s &#x2014; caf&eacute;") == "Tom 's — caf&eacute;")
    }

    /// A schema nested `levels` deep through `properties.child`.
    func nested(_ levels: Int) -> JSONValue {
        var schema: JSONValue = .object(["type": .string("string")])
        for level in 0..<levels {
            schema = .object(["type": .string("object"), "title": .string("L\(level)"), "properties": .object(["child": schema])])
        }
        return schema
    }

    @Test func aDeepSchemaIsSimplifiedAndSaysSo() throws {
        let (capped, simplified) = SchemaBudget.cap(nested(30))
        #expect(simplified)
        #expect(!SchemaBudget.exceeds(capped, depth: 0, limit: SchemaBudget.maxDepth + 1))
        // Walk down to the simplified node: an object schema with a description saying so, and nothing below.
        var node = capped
        while let child = node["properties"]?["child"] { node = child }
        #expect(node["type"] == .string("object"))
        #expect(node["description"]?.stringValue?.contains("Simplified") == true)
        #expect(node["properties"] == nil)
        // A small schema is unchanged.
        let small = nested(3)
        #expect(SchemaBudget.cap(small) == (small, false))
    }

    @Test func aLargeSchemaIsCutToTheByteBudget() {
        var properties = JSONObject()
        for i in 0..<400 {
            properties["p\(i)"] = .object([
                "type": .string("object"),
                "properties": .object(["a": .object(["type": .string("string"), "description": .string(String(repeating: "d", count: 400))])]),
            ])
        }
        let schema = JSONValue.object(["type": .string("object"), "properties": .object(properties)])
        #expect(schema.serialized().count > SchemaBudget.maxBytes)
        let (capped, simplified) = SchemaBudget.cap(schema)
        #expect(simplified)
        #expect(capped.serialized().count <= SchemaBudget.maxBytes)
        #expect(capped["properties"]?["p7"]?["type"] == .string("object"))
    }

    @Test func importNotesSimplifiedSchemas() throws {
        // Twenty levels written inline (references stop earlier, at the inliner's own nesting limit).
        let deep = String(decoding: nested(20).serialized(), as: UTF8.self)
        let json = """
            {"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "servers": [{"url": "https://api.example.com"}],
             "paths": {"/deep": {"post": {"operationId": "postDeep",
               "requestBody": {"content": {"application/json": {"schema": \(deep)}}},
               "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": \(deep)}}}}}}}}
            """
        let api = try OpenAPIImporter().importDocument(Data(json.utf8), sourceName: "deep.json", sourceURL: nil, options: .init())
        let operation = try #require(api.operations.first)
        let output = try #require(operation.outputSchema)
        #expect(!SchemaBudget.exceeds(output, depth: 0, limit: SchemaBudget.maxDepth + 1))
        #expect(!SchemaBudget.exceeds(operation.inputSchema, depth: 0, limit: SchemaBudget.maxDepth + 1))
        let messages = api.diagnostics.map(\.message)
        #expect(messages.contains { $0.hasPrefix("the output schema of POST /deep is simplified") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("the input schema of POST /deep is simplified") }, "\(messages)")
    }
}
