import Foundation
import Testing

@testable import GatewayEngine

/// Requests built from imported documents, compared byte for byte with what the specifications say. The expected
/// values are written by hand from:
/// - OpenAPI 3.1.1 §4.8.12.4 "Style Examples" (`color` = "blue", ["blue","black","brown"], {"R":100,"G":200,"B":150});
/// - RFC 6570 §3.2.3 reserved expansion (`allowReserved`), with its example values;
/// - Swagger 2.0 "collectionFormat" (csv `foo,bar`, ssv `foo bar`, tsv `foo\tbar`, pipes `foo|bar`, multi
///   `foo=bar&foo=baz`);
/// - OpenAPI 3.1.1 §4.8.15 Encoding Object examples ("URL Encoded Form with JSON Values", "… with Binary Values",
///   "Multipart Form with Encoding Objects", "… Multiple Files") and RFC 7578.
@Suite struct RequestSerializationSpecTests {
    static let base = "https://api.example.com/v1"

    enum Kind: String, Sendable { case string, array, object, empty }

    static func value(_ kind: Kind) -> (schema: String, value: JSONValue) {
        switch kind {
        case .string: (#"{"type": "string"}"#, .string("blue"))
        case .empty: (#"{"type": "string"}"#, .string(""))
        case .array: (#"{"type": "array", "items": {"type": "string"}}"#, .array(["blue", "black", "brown"]))
        case .object:
            (
                #"{"type": "object", "properties": {"R": {"type": "integer"}, "G": {"type": "integer"}, "B": {"type": "integer"}}}"#,
                .object(["R": .int(100), "G": .int(200), "B": .int(150)])
            )
        }
    }

    /// The request for one operation of a document written in JSON, called with `arguments`.
    static func request(_ json: String, _ arguments: JSONObject, name: String = "spec.json") throws -> BackendRequest {
        let api = try OpenAPIImporter().importDocument(Data(json.utf8), sourceName: name, sourceURL: nil, options: .init())
        let operation = try #require(api.operations.first)
        return try BackendRequestBuilder().build(operation: operation, baseURL: base, arguments: arguments)
    }

    /// The request for `GET /c/{color}` or `GET /c` with one `color` parameter as described.
    static func parameter(_ location: String, style: String, explode: Bool, kind: Kind, allowReserved: Bool = false)
        throws -> BackendRequest
    {
        let (schema, value) = value(kind)
        let path = location == "path" ? "/c/{color}" : "/c"
        let reserved = allowReserved ? #", "allowReserved": true"# : ""
        let json = """
            {"openapi": "3.1.0", "info": {"title": "T", "version": "1"},
             "paths": {"\(path)": {"get": {"operationId": "get",
               "parameters": [{"name": "color", "in": "\(location)", "required": true, "style": "\(style)",
                               "explode": \(explode), "schema": \(schema)\(reserved)}],
               "responses": {"200": {"description": "ok"}}}}}}
            """
        return try request(json, ["color": value])
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var style: String
        var explode: Bool
        var kind: Kind
        var expected: String
        var testDescription: String { "\(style) explode=\(explode) \(kind.rawValue) → \(expected)" }
        init(_ style: String, _ explode: Bool, _ kind: Kind, _ expected: String) {
            (self.style, self.explode, self.kind, self.expected) = (style, explode, kind, expected)
        }
    }

    // MARK: path (matrix, label, simple)

    static let pathCases: [Case] = [
        Case("matrix", false, .empty, ";color"), Case("matrix", false, .string, ";color=blue"),
        Case("matrix", false, .array, ";color=blue,black,brown"), Case("matrix", false, .object, ";color=R,100,G,200,B,150"),
        Case("matrix", true, .empty, ";color"), Case("matrix", true, .string, ";color=blue"),
        Case("matrix", true, .array, ";color=blue;color=black;color=brown"), Case("matrix", true, .object, ";R=100;G=200;B=150"),
        Case("label", false, .string, ".blue"), Case("label", false, .array, ".blue,black,brown"),
        Case("label", false, .object, ".R,100,G,200,B,150"),
        Case("label", true, .string, ".blue"), Case("label", true, .array, ".blue.black.brown"),
        Case("label", true, .object, ".R=100.G=200.B=150"),
        Case("simple", false, .string, "blue"), Case("simple", false, .array, "blue,black,brown"),
        Case("simple", false, .object, "R,100,G,200,B,150"),
        Case("simple", true, .string, "blue"), Case("simple", true, .array, "blue,black,brown"),
        Case("simple", true, .object, "R=100,G=200,B=150"),
    ]

    @Test(arguments: pathCases) func pathStyles(_ c: Case) throws {
        let r = try Self.parameter("path", style: c.style, explode: c.explode, kind: c.kind)
        #expect(r.url == Self.base + "/c/" + c.expected)
    }

    @Test func labelOfAnEmptyValueIsNotADotSegment() throws {
        // The table's `.` would be a dot segment of the URL path: it is sent as `%2E`, never resolved away.
        let r = try Self.parameter("path", style: "label", explode: false, kind: .empty)
        #expect(r.url == Self.base + "/c/%2E")
    }

    // MARK: query (form, spaceDelimited, pipeDelimited, deepObject)

    static let queryCases: [Case] = [
        Case("form", false, .empty, "color="), Case("form", false, .string, "color=blue"),
        Case("form", false, .array, "color=blue,black,brown"), Case("form", false, .object, "color=R,100,G,200,B,150"),
        Case("form", true, .empty, "color="), Case("form", true, .string, "color=blue"),
        Case("form", true, .array, "color=blue&color=black&color=brown"), Case("form", true, .object, "R=100&G=200&B=150"),
        Case("spaceDelimited", false, .array, "color=blue%20black%20brown"),
        Case("spaceDelimited", false, .object, "color=R%20100%20G%20200%20B%20150"),
        Case("pipeDelimited", false, .array, "color=blue%7Cblack%7Cbrown"),
        Case("pipeDelimited", false, .object, "color=R%7C100%7CG%7C200%7CB%7C150"),
        Case("deepObject", true, .object, "color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150"),
    ]

    @Test(arguments: queryCases) func queryStyles(_ c: Case) throws {
        let r = try Self.parameter("query", style: c.style, explode: c.explode, kind: c.kind)
        #expect(r.url == Self.base + "/c?" + c.expected)
    }

    @Test func cellsTheTableLeavesUndefinedAreSentAsForm() throws {
        // spaceDelimited/pipeDelimited with explode=true are "n/a" in the table: read as form, exploded.
        for style in ["spaceDelimited", "pipeDelimited"] {
            let r = try Self.parameter("query", style: style, explode: true, kind: .array)
            #expect(r.url == Self.base + "/c?color=blue&color=black&color=brown")
        }
    }

    struct Reserved: Sendable, CustomTestStringConvertible {
        var value: String
        var reserved: String
        var strict: String
        var testDescription: String { value }
    }

    /// RFC 6570 §3.2.3's examples (`{+var}` with var "value", hello "Hello World!", path "/foo/bar", half "50%"),
    /// and a value the caller already percent-encoded.
    static let reservedCases: [Reserved] = [
        Reserved(value: "value", reserved: "value", strict: "value"),
        Reserved(value: "Hello World!", reserved: "Hello%20World!", strict: "Hello%20World%21"),
        Reserved(value: "/foo/bar", reserved: "/foo/bar", strict: "%2Ffoo%2Fbar"),
        Reserved(value: "50%", reserved: "50%25", strict: "50%25"),
        Reserved(value: "a%2Fb", reserved: "a%2Fb", strict: "a%252Fb"),
        Reserved(
            value: "https://x.example/?a=1,2;b", reserved: "https://x.example/?a=1,2;b",
            strict: "https%3A%2F%2Fx.example%2F%3Fa%3D1%2C2%3Bb"),
        // `&` and `#` would end the value and `[`/`]` are not allowed in a query by RFC 3986: encoded even then.
        Reserved(value: "a&b#c[d]", reserved: "a%26b%23c%5Bd%5D", strict: "a%26b%23c%5Bd%5D"),
    ]

    @Test(arguments: reservedCases) func allowReserved(_ c: Reserved) throws {
        for (allow, expected) in [(true, c.reserved), (false, c.strict)] {
            let json = """
                {"openapi": "3.1.0", "info": {"title": "T", "version": "1"},
                 "paths": {"/c": {"get": {"operationId": "get",
                   "parameters": [{"name": "q", "in": "query", "allowReserved": \(allow), "schema": {"type": "string"}}],
                   "responses": {"200": {"description": "ok"}}}}}}
                """
            #expect(try Self.request(json, ["q": .string(c.value)]).url == Self.base + "/c?q=" + expected)
        }
    }

    // MARK: header (simple) and cookie (form)

    static let headerCases: [Case] = [
        Case("simple", false, .string, "blue"), Case("simple", false, .array, "blue,black,brown"),
        Case("simple", false, .object, "R,100,G,200,B,150"),
        Case("simple", true, .string, "blue"), Case("simple", true, .array, "blue,black,brown"),
        Case("simple", true, .object, "R=100,G=200,B=150"),
    ]

    @Test(arguments: headerCases) func headerStyles(_ c: Case) throws {
        let r = try Self.parameter("header", style: c.style, explode: c.explode, kind: c.kind)
        #expect(r.header("color") == c.expected)
    }

    /// `form` cookies: the unexploded rows of the table as they stand; exploded values, which the table writes with
    /// `&` (not cookie syntax, OpenAPI 3.1.1 Appendix D), as one cookie-pair each, joined by `; ` (RFC 6265).
    static let cookieCases: [Case] = [
        Case("form", false, .string, "color=blue"), Case("form", false, .array, "color=blue,black,brown"),
        Case("form", false, .object, "color=R,100,G,200,B,150"),
        Case("form", true, .string, "color=blue"), Case("form", true, .array, "color=blue; color=black; color=brown"),
        Case("form", true, .object, "R=100; G=200; B=150"),
    ]

    @Test(arguments: cookieCases) func cookieStyles(_ c: Case) throws {
        let r = try Self.parameter("cookie", style: c.style, explode: c.explode, kind: c.kind)
        #expect(r.header("Cookie") == c.expected)
    }
}
