import Foundation

// Type-specific keywords: numbers, strings, arrays and objects.
extension JSONSchemaValidator {
    // MARK: numbers

    func checkNumber(_ value: JSONValue, _ s: JSONObject, _ pointer: String, _ sink: inout ViolationSink) {
        guard let x = value.doubleValue else { return }
        let shown = Self.render(value)
        if let min = s["minimum"], min.doubleValue != nil {
            if s["exclusiveMinimum"]?.boolValue == true {
                if Self.compare(value, min) <= 0 { sink.add(pointer, "\(shown) must be greater than \(Self.render(min))") }
            } else if Self.compare(value, min) < 0 {
                sink.add(pointer, "\(shown) is less than the minimum \(Self.render(min))")
            }
        }
        if let max = s["maximum"], max.doubleValue != nil {
            if s["exclusiveMaximum"]?.boolValue == true {
                if Self.compare(value, max) >= 0 { sink.add(pointer, "\(shown) must be less than \(Self.render(max))") }
            } else if Self.compare(value, max) > 0 {
                sink.add(pointer, "\(shown) is greater than the maximum \(Self.render(max))")
            }
        }
        if let emin = s["exclusiveMinimum"], emin.doubleValue != nil, Self.compare(value, emin) <= 0 {
            sink.add(pointer, "\(shown) must be greater than \(Self.render(emin))")
        }
        if let emax = s["exclusiveMaximum"], emax.doubleValue != nil, Self.compare(value, emax) >= 0 {
            sink.add(pointer, "\(shown) must be less than \(Self.render(emax))")
        }
        if let m = s["multipleOf"], let md = m.doubleValue, md > 0, !Self.isMultiple(value, of: m, x: x, md: md) {
            sink.add(pointer, "\(shown) is not a multiple of \(Self.render(m))")
        }
        if let format = s["format"]?.stringValue, !Self.fitsIntegerFormat(value, format) {
            sink.add(pointer, "\(shown) is out of range for format \(format)")
        }
    }

    /// Whether a number fits `int32` or `int64` (other formats always fit).
    static func fitsIntegerFormat(_ value: JSONValue, _ format: String) -> Bool {
        switch (format, value) {
        case ("int32", .int(let i)): Int64(Int32.min) <= i && i <= Int64(Int32.max)
        case ("int32", .double(let d)): Double(Int32.min) <= d && d <= Double(Int32.max)
        case ("int64", .double(let d)): -9_223_372_036_854_775_808.0 <= d && d < 9_223_372_036_854_775_808.0
        default: true
        }
    }

    /// Compares two numbers exactly when both are integers, else as doubles.
    static func compare(_ a: JSONValue, _ b: JSONValue) -> Int {
        if case .int(let x) = a, case .int(let y) = b { return x < y ? -1 : (x == y ? 0 : 1) }
        let x = a.doubleValue ?? .nan
        let y = b.doubleValue ?? .nan
        return x < y ? -1 : (x == y ? 0 : 1)
    }

    static func isMultiple(_ value: JSONValue, of m: JSONValue, x: Double, md: Double) -> Bool {
        if case .int(let xi) = value, case .int(let mi) = m { return xi % mi == 0 }
        let q = x / md
        guard q.isFinite else { return false } // an overflowing quotient is not a whole number of steps (as the suite says)
        return abs(q - q.rounded()) <= 1e-9 * Swift.max(1, abs(q))
    }

    // MARK: strings

    func checkString(_ str: String, _ s: JSONObject, _ pointer: String, _ sink: inout ViolationSink) {
        let needsLength = s["minLength"] != nil || s["maxLength"] != nil
        let length = needsLength ? str.unicodeScalars.count : 0
        if let min = s["minLength"]?.intValue, length < min {
            sink.add(pointer, "string is \(length) characters long; at least \(min) required")
        }
        if let max = s["maxLength"]?.intValue, length > max {
            sink.add(pointer, "string is \(length) characters long; at most \(max) allowed")
        }
        if let pattern = s["pattern"]?.stringValue, let regex = RegexCache.shared.regex(pattern),
            !RegexCache.matches(regex, str)
        {
            sink.add(pointer, "\(Self.render(.string(str))) does not match the pattern \(Self.render(.string(pattern)))")
        }
        if let format = s["format"]?.stringValue, let problem = FormatChecker.problem(str, format: format) {
            sink.add(pointer, "\(Self.render(.string(str))) is not a valid \(format) (\(problem))")
        }
    }

    // MARK: arrays

    func checkArray(_ items: [JSONValue], _ s: JSONObject, _ pointer: String, _ depth: Int, _ sink: inout ViolationSink) {
        if let min = s["minItems"]?.intValue, items.count < min {
            sink.add(pointer, "array has \(items.count) items; at least \(min) required")
        }
        if let max = s["maxItems"]?.intValue, items.count > max {
            sink.add(pointer, "array has \(items.count) items; at most \(max) allowed")
        }
        let prefix: [JSONValue]
        let rest: JSONValue?
        if let tuple = s["prefixItems"]?.arrayValue {
            prefix = tuple
            rest = s["items"].flatMap { $0.arrayValue == nil ? $0 : nil }
        } else if let tuple = s["items"]?.arrayValue {
            prefix = tuple
            rest = s["additionalItems"]
        } else {
            prefix = []
            rest = s["items"]
        }
        for (n, item) in items.enumerated() {
            if sink.isFull { break }
            let sub: JSONValue? = n < prefix.count ? prefix[n] : rest
            guard let sub else { continue }
            if case .bool(false) = sub, n >= prefix.count {
                sink.add(pointer, "array has \(items.count) items; at most \(prefix.count) allowed")
                break
            }
            check(item, sub, pointer: Self.child(pointer, String(n)), depth: depth + 1, into: &sink)
        }
        if s["uniqueItems"]?.boolValue == true {
            var seen: [[UInt8]: Int] = [:] // bytes, since String keys would merge canonically equivalent strings
            for (n, item) in items.enumerated() {
                let key = Array(Self.canonical(item).utf8)
                if let first = seen[key] {
                    sink.add(pointer, "items \(first) and \(n) are equal; items must be unique")
                    break
                }
                seen[key] = n
            }
        }
    }

    // MARK: objects

    func checkObject(_ object: JSONObject, _ s: JSONObject, _ pointer: String, _ depth: Int, _ sink: inout ViolationSink) {
        if let required = s["required"]?.arrayValue {
            for case .string(let name) in required where object[name] == nil {
                sink.add(pointer, "missing required property \(Self.render(.string(name)))")
            }
        }
        if let min = s["minProperties"]?.intValue, object.count < min {
            sink.add(pointer, "object has \(object.count) properties; at least \(min) required")
        }
        if let max = s["maxProperties"]?.intValue, object.count > max {
            sink.add(pointer, "object has \(object.count) properties; at most \(max) allowed")
        }
        let properties = s["properties"]?.objectValue
        let patterns: [(NSRegularExpression, JSONValue)] =
            (s["patternProperties"]?.objectValue).map { pp in
                pp.compactMap { entry in RegexCache.shared.regex(entry.key).map { ($0, entry.value) } }
            } ?? []
        let additional = s["additionalProperties"]
        var unexpected: [String] = []
        for (key, value) in object {
            if sink.isFull { return }
            let childPointer = Self.child(pointer, key)
            var matched = false
            if let sub = properties?[key] {
                matched = true
                check(value, sub, pointer: childPointer, depth: depth + 1, into: &sink)
            }
            for (regex, sub) in patterns where RegexCache.matches(regex, key) {
                matched = true
                check(value, sub, pointer: childPointer, depth: depth + 1, into: &sink)
            }
            guard !matched, let additional else { continue }
            if case .bool(false) = additional {
                unexpected.append(key)
            } else {
                check(value, additional, pointer: childPointer, depth: depth + 1, into: &sink)
            }
        }
        if !unexpected.isEmpty {
            let names =
                unexpected.prefix(5).map { Self.render(.string($0)) }.joined(separator: ", ")
                + (unexpected.count > 5 ? ", …" : "")
            var message = unexpected.count == 1 ? "unexpected property \(names)" : "unexpected properties \(names)"
            if let properties, !properties.isEmpty {
                let allowed = properties.keys.prefix(20).joined(separator: ", ") + (properties.count > 20 ? ", …" : "")
                message += " (allowed: \(allowed))"
            }
            sink.add(pointer, message)
        }
    }
}

/// Compiled `pattern`/`patternProperties` regexes, shared by all validators. Invalid patterns, and patterns
/// ``PatternSafety`` cannot bound, are remembered as nil and then ignored.
final class RegexCache: Sendable {
    static let shared = RegexCache()
    private let entries = LockedBox<[String: NSRegularExpression?]>([:])
    private let capacity = 1_024

    func regex(_ pattern: String) -> NSRegularExpression? {
        entries.withLock { entries in
            if let hit = entries[pattern] { return hit }
            let compiled = PatternSafety.problem(pattern) == nil ? try? NSRegularExpression(pattern: pattern) : nil
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[pattern] = .some(compiled)
            return compiled
        }
    }

    /// Whether the regex matches anywhere in `string` (JSON Schema patterns are not anchored).
    static func matches(_ regex: NSRegularExpression, _ string: String) -> Bool {
        regex.firstMatch(in: string, range: NSRange(string.startIndex..., in: string)) != nil
    }
}
