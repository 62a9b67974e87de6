import Foundation

/// One way a JSON instance fails a JSON Schema.
struct SchemaViolation: Sendable, Equatable, CustomStringConvertible {
    /// A JSON pointer (RFC 6901) to the offending value in the instance, for example `/petId` or `/tags/0`.
    /// The root value is written `/` so that messages stay readable.
    var pointer: String
    /// What is wrong, for example `expected integer, got string`.
    var message: String

    /// Creates a violation.
    init(pointer: String, message: String) {
        self.pointer = pointer
        self.message = message
    }

    /// `pointer: message`, for example `/petId: expected integer, got string`.
    var description: String { "\(pointer): \(message)" }
}

/// Validates JSON values against the JSON Schema subset that OpenAPI-derived tool schemas use
/// (draft 2020-12 plus the OpenAPI 3.0 dialect: `nullable`, boolean `exclusiveMinimum`/`exclusiveMaximum`,
/// array-form `items`).
///
/// Supported keywords: `type`, `enum`, `const`, `properties`, `required`, `additionalProperties`,
/// `patternProperties`, `items`, `prefixItems`, `additionalItems`, `minItems`, `maxItems`, `uniqueItems`,
/// `minLength`, `maxLength`, `pattern`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`,
/// `multipleOf`, `minProperties`, `maxProperties`, `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`,
/// `contains`/`minContains`/`maxContains`, `propertyNames`, `dependentRequired`, `dependentSchemas` (and
/// `dependencies`), `format` (`date-time`, `date`, `uuid`, `email`, `ipv4`, `int32`, `int64`) and `nullable`;
/// `true`/`false` are schemas too. ``JSONSchemaKeywords`` lists what is enforced, what is only an annotation
/// and what is not supported (the importer reports those). `$ref` is inlined by the importer. Recursion is bounded
/// by ``maxDepth`` and at most ``maxViolations`` violations are reported. Checked against the official
/// JSON-Schema-Test-Suite (`JSONSchemaSuiteTests`).
struct JSONSchemaValidator: Sendable {
    /// The most violations one call reports.
    static let maxViolations = 20

    /// How deep schema-and-instance recursion may go; deeper values are reported as a violation.
    var maxDepth: Int

    /// Creates a validator.
    init(maxDepth: Int = 32) {
        self.maxDepth = maxDepth
    }

    /// Validates `value` against `schema`, returning the violations found (empty when valid), at most
    /// ``maxViolations`` of them.
    func validate(_ value: JSONValue, against schema: JSONValue) -> [SchemaViolation] {
        var sink = ViolationSink(limit: Self.maxViolations)
        check(value, schema, pointer: "/", depth: 0, into: &sink)
        return sink.items
    }

    /// Whether `value` satisfies `schema`.
    func isValid(_ value: JSONValue, against schema: JSONValue) -> Bool {
        passes(value, schema, pointer: "/", depth: 0)
    }
}

/// Collects violations up to a limit.
struct ViolationSink {
    var items: [SchemaViolation] = []
    let limit: Int
    var isFull: Bool { items.count >= limit }

    init(limit: Int) { self.limit = limit }

    mutating func add(_ pointer: String, _ message: String) {
        if !isFull { items.append(SchemaViolation(pointer: pointer, message: message)) }
    }
}

extension JSONSchemaValidator {
    func check(_ value: JSONValue, _ schema: JSONValue, pointer: String, depth: Int, into sink: inout ViolationSink) {
        guard !sink.isFull else { return }
        let s: JSONObject
        switch schema {
        case .bool(true): return
        case .bool(false):
            sink.add(pointer, "no value is allowed here")
            return
        case .object(let o): s = o
        default: return
        }
        guard depth <= maxDepth else {
            sink.add(pointer, "nesting exceeds the validation limit of \(maxDepth) levels")
            return
        }
        if value.isNull, s["nullable"]?.boolValue == true { return }

        checkType(value, s, pointer, &sink)
        if let options = s["enum"]?.arrayValue, !options.contains(where: { Self.jsonEqual(value, $0) }) {
            sink.add(pointer, "\(Self.render(value)) is not one of \(Self.render(.array(options), limit: 300))")
        }
        if let constant = s["const"], !Self.jsonEqual(value, constant) {
            sink.add(pointer, "\(Self.render(value)) must be \(Self.render(constant))")
        }
        switch value {
        case .int, .double: checkNumber(value, s, pointer, &sink)
        case .string(let str): checkString(str, s, pointer, &sink)
        case .array(let items): checkArray(items, s, pointer, depth, &sink)
        case .object(let object): checkObject(object, s, pointer, depth, &sink)
        case .null, .bool: break
        }
        checkCombinators(value, s, pointer, depth, &sink)
        checkApplicators(value, s, pointer, depth, &sink)
    }

    /// Whether `value` passes `schema`, stopping at the first violation.
    func passes(_ value: JSONValue, _ schema: JSONValue, pointer: String, depth: Int) -> Bool {
        var sink = ViolationSink(limit: 1)
        check(value, schema, pointer: pointer, depth: depth, into: &sink)
        return sink.items.isEmpty
    }

    /// The first violation of `value` against `schema`, if any.
    func firstViolation(_ value: JSONValue, _ schema: JSONValue, pointer: String, depth: Int) -> SchemaViolation? {
        var sink = ViolationSink(limit: 1)
        check(value, schema, pointer: pointer, depth: depth, into: &sink)
        return sink.items.first
    }

    static func child(_ pointer: String, _ token: String) -> String {
        let parent = pointer == "/" ? "" : pointer
        // Most names need no escaping: no Foundation search for them (this runs for every property checked).
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return parent + "/" + token }
        var escaped = ""
        for c in token.unicodeScalars {
            switch c {
            case "~": escaped += "~0"
            case "/": escaped += "~1"
            default: escaped.unicodeScalars.append(c)
            }
        }
        return parent + "/" + escaped
    }

    // MARK: type

    private func checkType(_ value: JSONValue, _ s: JSONObject, _ pointer: String, _ sink: inout ViolationSink) {
        guard let t = s["type"] else { return }
        var types: [String] = []
        if let one = t.stringValue { types = [one] } else if let many = t.arrayValue { types = many.compactMap(\.stringValue) }
        guard !types.isEmpty, !types.contains(where: { Self.matches(value, type: $0) }) else { return }
        if value.isNull, s["nullable"]?.boolValue == true { return }
        sink.add(pointer, "expected \(types.joined(separator: " or ")), got \(value.schemaTypeName)")
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): true
        case ("number", .int), ("number", .double), ("integer", .int): true
        case ("integer", .double(let d)): d.isFinite && d.rounded() == d
        case ("null", _), ("boolean", _), ("string", _), ("array", _), ("object", _), ("number", _), ("integer", _): false
        default: true // an unknown type name constrains nothing
        }
    }

    // MARK: combinators

    private func checkCombinators(
        _ value: JSONValue, _ s: JSONObject, _ pointer: String, _ depth: Int, _ sink: inout ViolationSink
    ) {
        if let all = s["allOf"]?.arrayValue {
            for sub in all { check(value, sub, pointer: pointer, depth: depth + 1, into: &sink) }
        }
        if let any = s["anyOf"]?.arrayValue, !any.isEmpty,
            !any.contains(where: { passes(value, $0, pointer: pointer, depth: depth + 1) })
        {
            sink.add(pointer, "does not match any of the \(any.count) anyOf alternatives" + branchDetails(value, any, pointer, depth))
        }
        if let one = s["oneOf"]?.arrayValue, !one.isEmpty {
            var matching: [Int] = []
            for (n, sub) in one.enumerated() where passes(value, sub, pointer: pointer, depth: depth + 1) {
                matching.append(n + 1)
                if matching.count >= 2 { break }
            }
            if matching.isEmpty {
                sink.add(pointer, "does not match any of the \(one.count) oneOf alternatives" + branchDetails(value, one, pointer, depth))
            } else if matching.count > 1 {
                let which = matching.prefix(2).map { "#\($0)" }.joined(separator: " and ")
                sink.add(pointer, "matches more than one oneOf alternative (\(which)); exactly one must match")
            }
        }
        if let not = s["not"], passes(value, not, pointer: pointer, depth: depth + 1) {
            sink.add(pointer, "must not match the schema given in \"not\"")
        }
    }

    /// ` (#1: /x: expected string, got integer; #2: …)` for the first few alternatives.
    private func branchDetails(_ value: JSONValue, _ branches: [JSONValue], _ pointer: String, _ depth: Int) -> String {
        var parts: [String] = []
        for (n, sub) in branches.prefix(3).enumerated() {
            if let v = firstViolation(value, sub, pointer: pointer, depth: depth + 1) { parts.append("#\(n + 1): \(v)") }
        }
        if branches.count > 3 { parts.append("…") }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: "; ") + ")"
    }

    // MARK: equality and rendering

    /// JSON equality: numbers compare by value (`1 == 1.0`), objects ignore key order.
    static func jsonEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.string(let x), .string(let y)): return x.unicodeScalars.elementsEqual(y.unicodeScalars) // code points, not canonical equivalence
        case (.int(let x), .int(let y)): return x == y
        case (.int, .double), (.double, .int), (.double, .double): return a.doubleValue == b.doubleValue
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { jsonEqual($0, $1) }
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            for (k, v) in x {
                guard let w = y[k], jsonEqual(v, w) else { return false }
            }
            return true
        default: return false
        }
    }

    /// A canonical text for a value such that equal values (per ``jsonEqual(_:_:)``) have equal texts.
    static func canonical(_ v: JSONValue) -> String {
        switch v {
        case .double(let d) where d.isFinite && d.rounded() == d && abs(d) < 9.2e18: String(Int64(d))
        case .array(let a): "[" + a.map(canonical).joined(separator: ",") + "]"
        case .object(let o):
            "{" + o.keys.sorted().map { JSONValue.string($0).jsonString + ":" + canonical(o[$0]!) }.joined(separator: ",") + "}"
        default: v.jsonString
        }
    }

    /// Compact JSON for messages, shortened to `limit` characters.
    static func render(_ v: JSONValue, limit: Int = 100) -> String {
        let text = v.jsonString
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }

    static func format(_ d: Double) -> String {
        d.isFinite && d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }
}
