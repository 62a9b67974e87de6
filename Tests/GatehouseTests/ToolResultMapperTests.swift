import Foundation
import Testing

@testable import GatewayEngine

private func op(outputSchema: JSONValue? = nil) -> OperationDefinition {
    OperationDefinition(
        key: "GET /pets", operationId: "listPets", method: "GET", path: "/pets", summary: nil, toolName: "listPets",
        description: "", parameters: [], body: nil, inputSchema: .object([:]), outputSchema: outputSchema,
        annotations: ToolAnnotations(), deprecated: false)
}

private let objectSchema: JSONValue = .object(["type": .string("object")])

private func texts(_ result: JSONValue) -> [String] {
    (result["content"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }
}

private func isError(_ result: JSONValue) -> Bool { result["isError"]?.boolValue == true }

@Suite struct ToolResultMapperTests {
    let mapper = ToolResultMapper()

    @Test func jsonWithoutOutputSchemaIsText() {
        let body = Array(#"[{"id":1}]"#.utf8)
        let result = mapper.map(status: 200, contentType: "application/json; charset=utf-8", body: body, operation: op())
        #expect(result.jsonString == #"{"content":[{"type":"text","text":"[{\"id\":1}]"}]}"#)
        #expect(result["structuredContent"] == nil)
        #expect(!isError(result))
    }

    @Test func jsonObjectWithOutputSchemaIsStructured() {
        let body = Array(#"{"id":1,"name":"Rex"}"#.utf8)
        let result = mapper.map(status: 201, contentType: "application/vnd.api+json", body: body, operation: op(outputSchema: objectSchema))
        #expect(texts(result) == [#"{"id":1,"name":"Rex"}"#])
        #expect(result["structuredContent"] == .object(["id": .int(1), "name": .string("Rex")]))
        #expect(!isError(result))
    }

    @Test func untypedBodyThatParsesAsJSONIsStructured() {
        let result = mapper.map(status: 200, contentType: nil, body: Array(#"{"a":true}"#.utf8), operation: op(outputSchema: objectSchema))
        #expect(result["structuredContent"] == .object(["a": .bool(true)]))
    }

    @Test(arguments: [
        ("application/json", "[1,2]"), ("application/json", "{broken"), ("text/html", "<p>hi</p>"), ("application/json", ""),
    ])
    func outputSchemaMismatchIsAnError(contentType: String, body: String) {
        let result = mapper.map(status: 200, contentType: contentType, body: Array(body.utf8), operation: op(outputSchema: objectSchema))
        #expect(isError(result))
        #expect(result["structuredContent"] == nil)
        #expect(texts(result).first?.contains("declare") == true || texts(result).first?.contains("does not match") == true)
    }

    @Test func imageBecomesImageContent() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0xFF]
        let result = mapper.map(status: 200, contentType: "image/png", body: png, operation: op())
        let item = result["content"]?.arrayValue?.first
        #expect(item?["type"] == .string("image"))
        #expect(item?["mimeType"] == .string("image/png"))
        #expect(item?["data"]?.stringValue.flatMap { Data(base64Encoded: $0) } == Data(png))
        #expect(!isError(result))
    }

    @Test func textualTypesBecomeText() {
        for type in ["text/plain", "text/csv; charset=utf-8", "application/xml", "application/atom+xml", "application/yaml"] {
            let result = mapper.map(status: 200, contentType: type, body: Array("a,b\nc".utf8), operation: op())
            #expect(texts(result) == ["a,b\nc"], "\(type)")
            #expect(!isError(result))
        }
    }

    @Test func emptyAndBinaryBodies() {
        let empty = mapper.map(status: 204, contentType: nil, body: [], operation: op())
        #expect(texts(empty) == ["(HTTP 204 No Content, no content)"])
        #expect(!isError(empty))
        let pdf = mapper.map(status: 200, contentType: "application/pdf", body: [0x25, 0x50, 0x00, 0xFF], operation: op())
        #expect(texts(pdf) == ["Backend returned a binary response of 4 bytes (application/pdf)"])
        let untypedBinary = mapper.map(status: 200, contentType: nil, body: [0xFF, 0xFE, 0x00], operation: op())
        #expect(texts(untypedBinary).first?.contains("binary response of 3 bytes") == true)
    }

    @Test func errorStatusQuotesTheBody() {
        let result = mapper.map(status: 404, contentType: "application/json", body: Array(#"{"message":"no pet"}"#.utf8), operation: op())
        #expect(
            result.jsonString
                == #"{"content":[{"type":"text","text":"Backend returned HTTP 404 Not Found: {\"message\":\"no pet\"}"}],"isError":true}"#)
        let unknown = mapper.map(status: 599, contentType: nil, body: [], operation: op())
        #expect(texts(unknown) == ["Backend returned HTTP 599 with an empty body"])
        #expect(isError(unknown))
        let redirect = mapper.map(status: 302, contentType: "text/plain", body: Array("moved".utf8), operation: op(outputSchema: objectSchema))
        #expect(isError(redirect) && texts(redirect) == ["Backend returned HTTP 302 Found: moved"])
    }

    @Test func longErrorBodyIsCapped() {
        let body = Array(String(repeating: "x", count: 10_000).utf8)
        let result = ToolResultMapper(maxExcerpt: 100).map(status: 500, contentType: "text/plain", body: body, operation: op())
        let text = try! #require(texts(result).first)
        #expect(text == "Backend returned HTTP 500 Internal Server Error: " + String(repeating: "x", count: 100) + "…")
        let exact = ToolResultMapper(maxExcerpt: 5).map(status: 500, contentType: "text/plain", body: Array("12345".utf8), operation: op())
        #expect(texts(exact).first?.hasSuffix(": 12345") == true, "no ellipsis when nothing was cut")
    }

    @Test func truncationIsUTF8Safe() {
        let mapper = ToolResultMapper(maxExcerpt: 3)
        let result = mapper.map(status: 400, contentType: "text/plain", body: Array("日本語テキスト👍🏽".utf8), operation: op())
        #expect(texts(result) == ["Backend returned HTTP 400 Bad Request: 日本語…"])
        let emoji = mapper.map(status: 400, contentType: nil, body: Array(String(repeating: "👍🏽", count: 2_000).utf8), operation: op())
        let text = texts(emoji).first ?? ""
        #expect(text == "Backend returned HTTP 400 Bad Request: 👍🏽👍🏽👍🏽…")
        #expect(!text.contains("\u{FFFD}"))
        // A byte limit landing inside a multi-byte scalar must not produce a replacement character.
        let cut = ToolResultMapper(maxExcerpt: 10).map(
            status: 400, contentType: "text/plain", body: Array(String(repeating: "é", count: 500).utf8), operation: op())
        #expect(texts(cut) == ["Backend returned HTTP 400 Bad Request: " + String(repeating: "é", count: 10) + "…"])
        // Characters longer than 4 bytes: the byte pre-cut lands inside a scalar and must back up.
        let long = ToolResultMapper(maxExcerpt: 20).map(
            status: 400, contentType: "text/plain", body: Array(("a" + String(repeating: "👍🏽", count: 100)).utf8), operation: op())
        let longText = texts(long).first ?? ""
        #expect(longText.hasSuffix("…") && !longText.contains("\u{FFFD}"))
    }

    @Test func errorResultShape() {
        #expect(mapper.errorResult("boom").jsonString == #"{"content":[{"type":"text","text":"boom"}],"isError":true}"#)
    }
}
