import Foundation
import Testing

@testable import GatewayEngine

private func operation(
    _ path: String, method: String = "GET", parameters: [ParameterBinding] = [], body: BodyBinding? = nil
) -> OperationDefinition {
    OperationDefinition(
        key: "\(method) \(path)", operationId: nil, method: method, path: path, summary: nil, toolName: "t",
        description: "", parameters: parameters, body: body, inputSchema: .object([:]), outputSchema: nil,
        annotations: ToolAnnotations(), deprecated: false)
}

private func param(
    _ name: String, _ location: ParameterLocation, required: Bool = false, style: String? = nil, explode: Bool? = nil,
    allowReserved: Bool = false, contentType: String? = nil
) -> ParameterBinding {
    let defaultStyle =
        switch location {
        case .path, .header: "simple"
        case .query, .cookie: "form"
        }
    let s = style ?? defaultStyle
    return ParameterBinding(
        name: name, location: location, argument: name, required: required || location == .path, style: s,
        explode: explode ?? (s == "form"), allowReserved: allowReserved, contentType: contentType)
}

private let base = "https://api.example.com/v1"
private let builder = BackendRequestBuilder()

private func url(_ op: OperationDefinition, _ args: JSONObject) throws -> String {
    try builder.build(operation: op, baseURL: base, arguments: args).url
}

private func query(_ p: ParameterBinding, _ value: JSONValue) throws -> String {
    let u = try url(operation("/q", parameters: [p]), [p.argument: value])
    return String(u.dropFirst((base + "/q?").count))
}

private func thrownError(_ body: () throws -> Void) -> GatewayError? {
    do { try body() } catch { return error as? GatewayError ?? GatewayError(.init("unexpected"), "\(error)") }
    return nil
}

private func thrownMessage(_ body: () throws -> Void) -> String? { thrownError(body)?.message }

@Suite struct BackendRequestBuilderTests {
    // MARK: path

    @Test("the base URL loses surrounding spaces and trailing slashes; one without a scheme, or with a query, fragment or inner space, is refused")
    func baseURLNormalisation() throws {
        #expect(try BackendRequestBuilder.normalizedBase(" \thttps://api.example.com/v1// ") == "https://api.example.com/v1")
        #expect(try BackendRequestBuilder.normalizedBase("\u{00A0}http://h:8080/") == "http://h:8080")
        // Already normal (the fast path): returned as is.
        #expect(try BackendRequestBuilder.normalizedBase("http://127.0.0.1:8080/v1") == "http://127.0.0.1:8080/v1")
        #expect(try BackendRequestBuilder.normalizedBase("https://h") == "https://h")
        #expect(try BackendRequestBuilder.normalizedBase("https://h/π") == "https://h/π")
        for bad in [
            "api.example.com/v1", "https://", "https:///", "://", "https:// /", "h:/x", "https://h\u{7F}", "https://h/v1?x=1", "https://h/v1#f",
            "https://h/a b", "https://h/v1\n",
        ] {
            #expect(throws: GatewayError.self, "\(bad)") { try BackendRequestBuilder.normalizedBase(bad) }
        }
    }

    @Test("the base URL's fast path and slow path give what the Foundation-based original gave, for every input")
    func baseURLNormalisationMatchesReference() {
        // The original implementation, kept here as the reference.
        func reference(_ baseURL: String) -> String? {
            var base = baseURL.trimmingCharacters(in: .whitespaces)
            while base.hasSuffix("/") { base.removeLast() }
            guard let colon = base.range(of: "://"), !base[colon.upperBound...].isEmpty else { return nil }
            guard !base.contains("?"), !base.contains("#"), !base.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else {
                return nil
            }
            return base
        }
        let alphabet: [String] = ["h", "t", "p", "s", ":", "/", "//", "://", ".", " ", "\t", "\n", "?", "#", "\u{7F}", "\u{A0}", "é", "1", "-"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let input = "http" + (0..<Int.random(in: 0..<10, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined()
            let got = try? BackendRequestBuilder.normalizedBase(input)
            #expect(got == reference(input), "\(input.debugDescription)")
        }
    }

    @Test func simplePathParameter() throws {
        let op = operation("/pets/{petId}", parameters: [param("petId", .path)])
        let request = try builder.build(operation: op, baseURL: base + "/", arguments: ["petId": .int(42)])
        #expect(request.method == "GET")
        #expect(request.url == "https://api.example.com/v1/pets/42")
        #expect(request.body == nil)
        #expect(request.header("accept") == "application/json, */*;q=0.8")
    }

    @Test(arguments: [
        ("../x", "%2E%2E%2Fx"), ("..", "%2E%2E"), (".", "%2E"), ("%2e%2e", "%252e%252e"), ("a/b", "a%2Fb"),
        ("?x=1", "%3Fx%3D1"), ("#frag", "%23frag"), ("%00", "%2500"), ("a\u{0}b", "a%00b"), ("é 日", "%C3%A9%20%E6%97%A5"),
        ("a;b=c", "a%3Bb%3Dc"), ("file.txt", "file.txt"), ("x/../../y", "x%2F%2E%2E%2F%2E%2E%2Fy"), ("..\\x", "%2E%2E%5Cx"),
        ("a-b_c~d", "a-b_c~d"),
    ])
    func pathValuesStayOneSegmentUnderTheBase(value: String, encoded: String) throws {
        let op = operation("/files/{name}/meta", parameters: [param("name", .path)])
        let u = try url(op, ["name": .string(value)])
        #expect(u == "\(base)/files/\(encoded)/meta")
        let path = u.dropFirst(base.count)
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        #expect(segments.count == 4, "exactly one segment for the value: \(u)")
        #expect(!segments.contains { $0 == "." || $0 == ".." })
        #expect(!path.contains("?") && !path.contains("#"))
    }

    @Test func pathStyles() throws {
        func expand(_ style: String, _ explode: Bool, _ value: JSONValue) throws -> String {
            let op = operation("/p/{id}", parameters: [param("id", .path, style: style, explode: explode)])
            return String(try url(op, ["id": value]).dropFirst((base + "/p/").count))
        }
        let array: JSONValue = .array([.int(3), .int(4)])
        let object: JSONValue = .object(["r": .int(1), "g": .string("a b")])
        #expect(try expand("simple", false, array) == "3,4")
        #expect(try expand("simple", false, object) == "r,1,g,a%20b")
        #expect(try expand("simple", true, object) == "r=1,g=a%20b")
        #expect(try expand("label", false, .int(5)) == ".5")
        #expect(try expand("label", false, array) == ".3,4")
        #expect(try expand("label", true, array) == ".3.4")
        #expect(try expand("label", true, object) == ".r=1.g=a%20b")
        #expect(try expand("matrix", false, .string("x;y")) == ";id=x%3By")
        #expect(try expand("matrix", false, array) == ";id=3,4")
        #expect(try expand("matrix", true, array) == ";id=3;id=4")
        #expect(try expand("matrix", true, object) == ";r=1;g=a%20b")
        #expect(try expand("matrix", false, object) == ";id=r,1,g,a%20b")
        #expect(try expand("simple", false, .bool(true)) == "true")
        #expect(try expand("simple", false, .double(2.0)) == "2")
        #expect(try expand("simple", false, .double(2.5)) == "2.5")
        #expect(try expand("label", false, .string("")) == "%2E", "a lone dot segment is encoded")
    }

    @Test func missingOrEmptyPathParameterIsRefused() {
        let op = operation("/pets/{petId}", parameters: [param("petId", .path)])
        let missing = thrownMessage { _ = try builder.build(operation: op, baseURL: base, arguments: [:]) }
        #expect(missing == #"missing required path parameter "petId""#)
        let empty = thrownMessage { _ = try builder.build(operation: op, baseURL: base, arguments: ["petId": .string("")]) }
        #expect(empty?.contains("must not be empty") == true)
        let unbound = thrownMessage {
            _ = try builder.build(operation: operation("/x/{other}"), baseURL: base, arguments: [:])
        }
        #expect(unbound?.contains("{other}") == true)
    }

    @Test func badBaseURLIsRefused() {
        let op = operation("/x")
        for bad in ["", "api.example.com", "https://h/x?y=1", "https://h/#f", "https://h /x"] {
            let error = thrownError { _ = try builder.build(operation: op, baseURL: bad, arguments: [:]) }
            #expect(error?.code == .invalidURL, "\(bad)")
        }
    }

    // MARK: query

    @Test func queryFormStyle() throws {
        #expect(try query(param("a", .query), .array([.int(1), .int(2)])) == "a=1&a=2")
        #expect(try query(param("a", .query, explode: false), .array([.int(1), .int(2)])) == "a=1,2")
        #expect(try query(param("a", .query), .object(["k": .int(1), "k2": .string("v")])) == "k=1&k2=v")
        #expect(try query(param("a", .query, explode: false), .object(["k": .int(1), "k2": .string("v")])) == "a=k,1,k2,v")
        #expect(try query(param("a", .query), .bool(false)) == "a=false")
        #expect(try query(param("a", .query), .double(10.0)) == "a=10")
        #expect(try query(param("a", .query), .double(0.25)) == "a=0.25")
    }

    @Test func queryDelimitedAndDeepObjectStyles() throws {
        let array: JSONValue = .array([.string("x y"), .string("z")])
        #expect(try query(param("a", .query, style: "spaceDelimited", explode: false), array) == "a=x%20y%20z")
        #expect(try query(param("a", .query, style: "pipeDelimited", explode: false), array) == "a=x%20y%7Cz")
        #expect(try query(param("a", .query, style: "pipeDelimited", explode: true), array) == "a=x%20y&a=z")
        let object: JSONValue = .object(["k": .string("v"), "n": .object(["m": .int(1)])])
        #expect(try query(param("a", .query, style: "deepObject", explode: true), object) == "a%5Bk%5D=v&a%5Bn%5D%5Bm%5D=1")
    }

    @Test func queryEncodingIsStrict() throws {
        #expect(try query(param("q", .query), .string("a&b=c+d#e%f g/h?é")) == "q=a%26b%3Dc%2Bd%23e%25f%20g%2Fh%3F%C3%A9")
        #expect(try query(param("q", .query, allowReserved: true), .string("a/b?c:d&e#f")) == "q=a/b?c:d%26e%23f")
        #expect(try query(param("a b", .query), .string("1")) == "a%20b=1")
        #expect(
            try query(param("f", .query, contentType: "application/json"), .object(["x": .int(1)]))
                == "f=%7B%22x%22%3A1%7D")
    }

    @Test func optionalQueryOmittedRequiredEnforced() throws {
        let op = operation("/q", parameters: [param("a", .query), param("b", .query, required: true)])
        #expect(try url(op, ["b": .int(1), "a": .null]) == base + "/q?b=1")
        let message = thrownMessage { _ = try builder.build(operation: op, baseURL: base, arguments: ["a": .int(1)]) }
        #expect(message == #"missing required query parameter "b""#)
    }

    // MARK: headers and cookies

    @Test func headerParameters() throws {
        let op = operation(
            "/h",
            parameters: [
                param("X-Trace", .header), param("X-List", .header), param("Accept", .header),
                param("Authorization", .header), param("Content-Type", .header),
            ])
        let request = try builder.build(
            operation: op, baseURL: base,
            arguments: [
                "X-Trace": .string("abc"), "X-List": .array([.int(1), .int(2)]), "Accept": .string("text/csv"),
                "Authorization": .string("Bearer stolen"), "Content-Type": .string("evil/type"),
            ])
        #expect(request.header("X-Trace") == "abc")
        #expect(request.header("X-List") == "1,2")
        #expect(request.header("Accept") == "text/csv")
        #expect(request.headers.filter { $0.name.lowercased() == "accept" }.count == 1)
        #expect(request.header("Authorization") == nil)
        #expect(request.header("Content-Type") == nil)
    }

    @Test(arguments: ["a\r\nX-Injected: 1", "a\nb", "a\rb", "a\u{0}b"])
    func headerInjectionIsRefused(value: String) {
        let op = operation("/h", parameters: [param("X-Note", .header)])
        let error = thrownError { _ = try builder.build(operation: op, baseURL: base, arguments: ["X-Note": .string(value)]) }
        #expect(error?.code == .invalidArgument, "\(value.debugDescription)")
        #expect(error?.message.hasPrefix("header parameter X-Note contains") == true)
        let arrayValue = thrownMessage {
            _ = try builder.build(operation: op, baseURL: base, arguments: ["X-Note": .array([.string(value)])])
        }
        #expect(arrayValue != nil)
    }

    @Test func headerLineBreakMessage() {
        let op = operation("/h", parameters: [param("X-Note", .header)])
        let message = thrownMessage { _ = try builder.build(operation: op, baseURL: base, arguments: ["X-Note": .string("a\r\nb")]) }
        #expect(message == "header parameter X-Note contains a line break")
        let badName = operation("/h", parameters: [param("X-Bad\r\nName", .header)])
        #expect(thrownMessage { _ = try builder.build(operation: badName, baseURL: base, arguments: ["X-Bad\r\nName": .int(1)]) } != nil)
    }

    @Test func cookies() throws {
        let op = operation("/c", parameters: [param("a", .cookie), param("b", .cookie), param("c", .cookie)])
        let request = try builder.build(
            operation: op, baseURL: base,
            arguments: [
                "a": .int(1), "b": .string("x y,\"z\"%"), "c": .array([.int(1), .int(2)]),
            ])
        #expect(request.header("Cookie") == "a=1; b=x%20y%2C%22z%22%25; c=1; c=2")
        for bad in ["x;y", "x\r\ny"] {
            let message = thrownMessage { _ = try builder.build(operation: op, baseURL: base, arguments: ["a": .string(bad)]) }
            #expect(message?.hasPrefix("cookie parameter a contains") == true)
        }
    }

    // MARK: body

    @Test func flattenedJSONBody() throws {
        let op = operation(
            "/pets", method: "POST", parameters: [param("dry", .query)],
            body: BodyBinding(contentType: "application/json", required: true, mode: .flattened, properties: ["name", "tags"]))
        let request = try builder.build(
            operation: op, baseURL: base,
            arguments: [
                "dry": .bool(true), "name": .string("Rex"), "tags": .array([.string("a")]), "other": .int(1),
            ])
        #expect(request.method == "POST")
        #expect(request.url == base + "/pets?dry=true")
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.body.map { String(decoding: $0, as: UTF8.self) } == #"{"name":"Rex","tags":["a"]}"#)
    }

    @Test func wholeJSONBody() throws {
        let op = operation("/pets", method: "PUT", body: BodyBinding(contentType: "application/merge-patch+json", required: true, mode: .whole))
        let request = try builder.build(operation: op, baseURL: base, arguments: ["body": .array([.int(1), .null])])
        #expect(request.body.map { String(decoding: $0, as: UTF8.self) } == "[1,null]")
        #expect(request.header("Content-Type") == "application/merge-patch+json")
        let message = thrownMessage { _ = try builder.build(operation: op, baseURL: base, arguments: [:]) }
        #expect(message == #"missing required request body "body""#)
        let optional = operation("/pets", method: "PUT", body: BodyBinding(contentType: "application/json", required: false, mode: .whole))
        let none = try builder.build(operation: optional, baseURL: base, arguments: [:])
        #expect(none.body == nil && none.header("Content-Type") == nil)
    }

    @Test func formBody() throws {
        let op = operation(
            "/f", method: "POST",
            body: BodyBinding(
                contentType: "application/x-www-form-urlencoded", required: true, mode: .flattened, properties: ["a", "b", "c", "d"]))
        let request = try builder.build(
            operation: op, baseURL: base,
            arguments: [
                "a": .string("x y&z=1+2"), "b": .array([.int(1), .int(2)]), "c": .object(["k": .bool(true)]), "d": .null,
            ])
        // No Encoding object: by type (OpenAPI 3.1.1 §4.8.15): primitives as text, arrays repeated, objects as JSON.
        #expect(
            request.body.map { String(decoding: $0, as: UTF8.self) }
                == "a=x+y%26z%3D1%2B2&b=1&b=2&c=%7B%22k%22%3Atrue%7D")
        #expect(request.header("Content-Type") == "application/x-www-form-urlencoded")
    }

    @Test func multipartBody() throws {
        let op = operation("/m", method: "POST", body: BodyBinding(contentType: "multipart/form-data", required: true, mode: .whole))
        let request = try builder.build(
            operation: op, baseURL: base,
            arguments: [
                "body": .object(["name": .string("Rex"), "meta": .object(["a": .int(1)])])
            ])
        let contentType = try #require(request.header("Content-Type"))
        #expect(contentType.hasPrefix("multipart/form-data; boundary="))
        let boundary = String(contentType.dropFirst("multipart/form-data; boundary=".count))
        #expect(boundary.count > 16)
        let text = String(decoding: request.body ?? [], as: UTF8.self)
        #expect(
            text == "--\(boundary)\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nRex\r\n"
                + "--\(boundary)\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"a\":1}\r\n"
                + "--\(boundary)--\r\n")
    }

    @Test func textAndRawBodies() throws {
        let text = operation("/t", method: "POST", body: BodyBinding(contentType: "text/plain", required: true, mode: .whole))
        #expect(try builder.build(operation: text, baseURL: base, arguments: ["body": .string("héllo")]).body == Array("héllo".utf8))
        #expect(try builder.build(operation: text, baseURL: base, arguments: ["body": .int(5)]).body == Array("5".utf8))
        let xml = operation("/x", method: "POST", body: BodyBinding(contentType: "application/xml", required: true, mode: .whole))
        #expect(try builder.build(operation: xml, baseURL: base, arguments: ["body": .string("<a/>")]).body == Array("<a/>".utf8))
        #expect(thrownMessage { _ = try builder.build(operation: xml, baseURL: base, arguments: ["body": .int(1)]) } != nil)
    }

    @Test func requestsCompareEqualByHeaders() {
        let a = BackendRequest(method: "GET", url: "u", headers: [("A", "1")], body: nil)
        #expect(a == BackendRequest(method: "GET", url: "u", headers: [("A", "1")], body: nil))
        #expect(a != BackendRequest(method: "GET", url: "u", headers: [("A", "2")], body: nil))
        #expect(a != BackendRequest(method: "GET", url: "u", headers: [], body: nil))
    }
}
