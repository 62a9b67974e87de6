import Foundation
import Testing

@testable import GatewayEngine

/// Swagger 2.0 `collectionFormat` and form bodies with the Encoding object, byte for byte (see
/// ``RequestSerializationSpecTests`` for the sources of the expected values).
@Suite struct RequestSerializationBodySpecTests {
    typealias Spec = RequestSerializationSpecTests

    static func text(_ request: BackendRequest) -> String { String(decoding: request.body ?? [], as: UTF8.self) }

    /// A Swagger 2.0 operation with one `ids` array parameter in `location` with `format`.
    static func swagger(_ location: String, _ format: String) throws -> BackendRequest {
        let path = location == "path" ? "/c/{ids}" : "/c"
        let consumes = location == "formData" ? #""consumes": ["application/x-www-form-urlencoded"],"# : ""
        let json = """
            {"swagger": "2.0", "info": {"title": "T", "version": "1"}, "host": "api.example.com",
             "paths": {"\(path)": {"post": {"operationId": "post", \(consumes)
               "parameters": [{"name": "ids", "in": "\(location)", "required": true, "type": "array",
                               "items": {"type": "string"}, "collectionFormat": "\(format)"}],
               "responses": {"200": {"description": "ok"}}}}}}
            """
        return try Spec.request(json, ["ids": .array(["foo", "bar", "baz"])], name: "swagger.json")
    }

    struct Format: Sendable, CustomTestStringConvertible {
        var location: String
        var format: String
        var expected: String
        var testDescription: String { "\(location) \(format) → \(expected)" }
        init(_ location: String, _ format: String, _ expected: String) {
            (self.location, self.format, self.expected) = (location, format, expected)
        }
    }

    static let formats: [Format] = [
        Format("query", "csv", "ids=foo,bar,baz"), Format("query", "ssv", "ids=foo%20bar%20baz"),
        Format("query", "tsv", "ids=foo%09bar%09baz"), Format("query", "pipes", "ids=foo%7Cbar%7Cbaz"),
        Format("query", "multi", "ids=foo&ids=bar&ids=baz"),
        Format("path", "csv", "foo,bar,baz"), Format("path", "ssv", "foo%20bar%20baz"),
        Format("path", "tsv", "foo%09bar%09baz"), Format("path", "pipes", "foo%7Cbar%7Cbaz"),
        Format("header", "csv", "foo,bar,baz"), Format("header", "ssv", "foo bar baz"),
        Format("header", "tsv", "foo\tbar\tbaz"), Format("header", "pipes", "foo|bar|baz"),
        Format("formData", "csv", "ids=foo,bar,baz"), Format("formData", "ssv", "ids=foo%20bar%20baz"),
        Format("formData", "tsv", "ids=foo%09bar%09baz"), Format("formData", "pipes", "ids=foo%7Cbar%7Cbaz"),
        Format("formData", "multi", "ids=foo&ids=bar&ids=baz"),
    ]

    @Test(arguments: formats) func collectionFormats(_ f: Format) throws {
        let r = try Self.swagger(f.location, f.format)
        let base = Spec.base
        switch f.location {
        case "query": #expect(r.url == base + "/c?" + f.expected)
        case "path": #expect(r.url == base + "/c/" + f.expected)
        case "header": #expect(r.header("ids") == f.expected)
        default:
            #expect(Self.text(r) == f.expected)
            #expect(r.header("Content-Type") == "application/x-www-form-urlencoded")
        }
    }

    // MARK: application/x-www-form-urlencoded

    /// A form body operation whose schema has `properties` and whose media type has `encoding`.
    static func form(
        _ media: String = "application/x-www-form-urlencoded", properties: String, encoding: String = "{}",
        _ arguments: JSONObject
    ) throws -> BackendRequest {
        let json = """
            {"openapi": "3.1.0", "info": {"title": "T", "version": "1"},
             "paths": {"/f": {"post": {"operationId": "post",
               "requestBody": {"required": true, "content": {"\(media)": {
                 "schema": {"type": "object", "properties": \(properties)}, "encoding": \(encoding)}}},
               "responses": {"200": {"description": "ok"}}}}}}
            """
        return try Spec.request(json, arguments)
    }

    static let address: JSONValue = .object([
        "streetAddress": "123 Example Dr.", "city": "Somewhere", "state": "CA", "zip": "99999+1234",
    ])
    static let id = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"

    @Test func urlEncodedFormWithJSONValues() throws {
        // §4.8.15 "URL Encoded Form with JSON Values": no encoding, so `id` is text/plain and the object is JSON;
        // `+`, `"`, `:`, `,`, `{`, `}` percent-encoded and spaces as `+` (RFC 1866).
        let r = try Self.form(
            properties: #"{"id": {"type": "string", "format": "uuid"}, "address": {"type": "object", "properties": {}}}"#,
            ["id": .string(Self.id), "address": Self.address])
        #expect(
            Self.text(r) == "id=f81d4fae-7dec-11d0-a765-00a0c91e6bf6&address=%7B%22streetAddress%22%3A%22123+Example+Dr.%22"
                + "%2C%22city%22%3A%22Somewhere%22%2C%22state%22%3A%22CA%22%2C%22zip%22%3A%2299999%2B1234%22%7D")
        // "Here is the id parameter serialized as application/json instead of text/plain".
        let json = try Self.form(
            properties: #"{"id": {"type": "string"}}"#, encoding: #"{"id": {"contentType": "application/json"}}"#,
            ["id": .string(Self.id)])
        #expect(Self.text(json) == "id=%22f81d4fae-7dec-11d0-a765-00a0c91e6bf6%22")
    }

    @Test func urlEncodedFormWithBinaryValues() throws {
        // §4.8.15 "URL Encoded Form with Binary Values": base64url text as-is, the `=` padding percent-encoded.
        let icon =
            "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAABGdBTUEAALGPC_xhBQAAADhlWElmTU0AKgAAAAgAAYdpAAQAAAABAAAAGgAA"
            + "AAAAAqACAAQAAAABAAAAAqADAAQAAAABAAAAAgAAAADO0J6QAAAAEElEQVQIHWP8zwACTGCSAQANHQEDqtPptQAAAABJRU5ErkJggg=="
        let r = try Self.form(
            properties: #"{"name": {"type": "string"}, "icon": {"type": "string", "contentEncoding": "base64url"}}"#,
            encoding: #"{"icon": {"contentType": "image/png, image/jpeg"}}"#,
            ["name": "example", "icon": .string(icon)])
        #expect(Self.text(r) == "name=example&icon=" + icon.dropLast(2) + "%3D%3D")
    }

    struct Styled: Sendable, CustomTestStringConvertible {
        var encoding: String
        var kind: Spec.Kind
        var expected: String
        var testDescription: String { "\(encoding) \(kind.rawValue)" }
        init(_ encoding: String, _ kind: Spec.Kind, _ expected: String) {
            (self.encoding, self.kind, self.expected) = (encoding, kind, expected)
        }
    }

    /// The style table's query rows, applied to a form property through its Encoding object.
    static let styled: [Styled] = [
        Styled(#"{"style": "form"}"#, .array, "color=blue&color=black&color=brown"),
        Styled(#"{"style": "form"}"#, .object, "R=100&G=200&B=150"),
        Styled(#"{"style": "form", "explode": false}"#, .array, "color=blue,black,brown"),
        Styled(#"{"explode": false}"#, .object, "color=R,100,G,200,B,150"),
        Styled(#"{"style": "spaceDelimited", "explode": false}"#, .array, "color=blue%20black%20brown"),
        Styled(#"{"style": "pipeDelimited", "explode": false}"#, .object, "color=R%7C100%7CG%7C200%7CB%7C150"),
        Styled(#"{"style": "deepObject", "explode": true}"#, .object, "color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150"),
        Styled(#"{"allowReserved": true}"#, .string, "color=blue"),
    ]

    @Test(arguments: styled) func urlEncodedFormWithStyles(_ s: Styled) throws {
        let (schema, value) = Spec.value(s.kind)
        let r = try Self.form(properties: #"{"color": \#(schema)}"#, encoding: #"{"color": \#(s.encoding)}"#, ["color": value])
        #expect(Self.text(r) == s.expected)
    }

    @Test func allowReservedInAForm() throws {
        let r = try Self.form(
            properties: #"{"a": {"type": "string"}, "b": {"type": "string"}}"#,
            encoding: #"{"a": {"allowReserved": true}}"#,
            ["a": "/x?y=1,2:3 4%2F&z+#", "b": "/x?y=1,2:3 4%2F&z+#"])
        // Reserved characters and the caller's `%2F` stay; `&`, `#` and `+` (a space in forms) are encoded.
        #expect(Self.text(r) == "a=/x?y=1,2:3+4%2F%26z%2B%23&b=%2Fx%3Fy%3D1%2C2%3A3+4%252F%26z%2B%23")
    }

    @Test func stripeStyleNestedObjectsAndArrays() throws {
        // Stripe's documents mark every nested property `style: deepObject, explode: true`.
        let r = try Self.form(
            properties:
                #"{"metadata": {"type": "object"}, "items": {"type": "array", "items": {"type": "object"}}, "expand": {"type": "array", "items": {"type": "string"}}}"#,
            encoding:
                #"{"metadata": {"style": "deepObject", "explode": true}, "items": {"style": "deepObject", "explode": true}, "expand": {"style": "deepObject", "explode": true}}"#,
            ["metadata": .object(["order id": "6735"]), "items": [.object(["price": "price_1", "quantity": 2])], "expand": ["customer", "invoice"]])
        #expect(
            Self.text(r) == "metadata%5Border+id%5D=6735&items%5B0%5D%5Bprice%5D=price_1&items%5B0%5D%5Bquantity%5D=2"
                + "&expand%5B0%5D=customer&expand%5B1%5D=invoice")
    }

    // MARK: multipart/form-data

    /// The body with the random boundary replaced by `BOUNDARY`.
    static func multipart(_ r: BackendRequest) throws -> String {
        let type = try #require(r.header("Content-Type"))
        let boundary = String(type.dropFirst("multipart/form-data; boundary=".count))
        #expect(type == "multipart/form-data; boundary=" + boundary)
        return text(r).replacingOccurrences(of: boundary, with: "BOUNDARY")
    }

    static func part(_ name: String, _ data: String, type: String? = nil) -> String {
        "--BOUNDARY\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n" + (type.map { "Content-Type: \($0)\r\n" } ?? "")
            + "\r\n\(data)\r\n"
    }

    @Test func multipartWithAndWithoutEncodingObjects() throws {
        // §4.8.15 "Basic Multipart Form" and "… with Encoding Objects": primitives text/plain (no header, RFC 7578
        // §4.4), binary strings application/octet-stream or the declared type, each array item a part of the same
        // name with its items' type.
        let properties =
            #"{"id": {"type": "string", "format": "uuid"}, "profileImage": {"type": "string", "format": "binary"}, "addresses": {"type": "array", "items": {"type": "object"}}, "tags": {"type": "array", "items": {"type": "string"}}}"#
        let args: JSONObject = [
            "id": .string(Self.id), "profileImage": "PNG…", "addresses": [.object(["city": "A"]), .object(["city": "B"])], "tags": ["x", "y"],
        ]
        let basic = try Self.multipart(Self.form("multipart/form-data", properties: properties, args))
        #expect(
            basic == Self.part("id", Self.id) + Self.part("profileImage", "PNG…", type: "application/octet-stream")
                + Self.part("addresses", #"{"city":"A"}"#, type: "application/json")
                + Self.part("addresses", #"{"city":"B"}"#, type: "application/json")
                + Self.part("tags", "x") + Self.part("tags", "y") + "--BOUNDARY--\r\n")
        let encoded = try Self.multipart(
            Self.form(
                "multipart/form-data", properties: properties,
                encoding: #"{"profileImage": {"contentType": "image/png, image/jpeg"}, "tags": {"style": "form", "explode": false}}"#,
                args))
        #expect(
            encoded == Self.part("id", Self.id) + Self.part("profileImage", "PNG…", type: "image/png, image/jpeg")
                + Self.part("addresses", #"{"city":"A"}"#, type: "application/json")
                + Self.part("addresses", #"{"city":"B"}"#, type: "application/json")
                + Self.part("tags", "x,y") + "--BOUNDARY--\r\n")
    }

    @Test func multipartMultipleFiles() throws {
        // §4.8.15 "Multipart Form with Multiple Files": `items: {}` means application/octet-stream, one part per file.
        let r = try Self.multipart(
            Self.form(
                "multipart/form-data", properties: #"{"file": {"type": "array", "items": {}}}"#,
                ["file": ["one", "two"]]))
        #expect(
            r == Self.part("file", "one", type: "application/octet-stream")
                + Self.part("file", "two", type: "application/octet-stream") + "--BOUNDARY--\r\n")
    }
}
