import Foundation

extension RequestLogFilter {
    /// A duration as the filter language writes it (`90s`, `15m`, `1h`, `7d`, `2w`) in seconds; nil when it is not
    /// one or overflows. The CLI's `--every` and `--log-max-age` read durations with it too.
    public static func seconds(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        guard let unit = text.last, let scale = units[unit], let n = Int64(text.dropLast()), n >= 0 else { return nil }
        let (v, overflow) = n.multipliedReportingOverflow(by: scale)
        return overflow ? nil : v
    }
}

/// One `key:value` (or `key>value`, …) term of the filter language.
enum FilterTerm {
    static let textKeys: [String: RequestLogTextField] = [
        "server": .server, "tool": .tool, "method": .method, "client": .client, "address": .address, "addr": .address, "ip": .address,
        "principal": .principal, "transport": .transport, "version": .version, "error": .error,
    ]
    static let numberKeys: [String: RequestLogNumberField] = [
        "latency": .latency, "status": .status, "code": .code, "backend": .backend, "bytes-in": .bytesIn, "bytes-out": .bytesOut,
    ]
    static var keyList: String {
        (Array(textKeys.keys) + Array(numberKeys.keys) + ["outcome", "since", "until"]).sorted().joined(separator: ", ")
    }

    static func parse(_ t: FilterToken) throws(RequestLogFilterError) -> RequestLogFilter {
        let word = t.text
        guard let split = operatorRange(word) else {
            throw RequestLogFilterError("'\(word)' is not a condition: write key:value (keys: \(keyList))", column: t.column)
        }
        let key = word[..<split.lowerBound].lowercased()
        let op = String(word[split])
        let value = String(word[split.upperBound...])
        guard !value.isEmpty else { throw RequestLogFilterError("'\(word)' has no value after '\(op)'", column: t.column) }
        let comparison: RequestLogComparison = op == ":" ? .equal : RequestLogComparison(rawValue: op)!
        func fail(_ why: String) -> RequestLogFilterError { RequestLogFilterError("'\(word)': \(why)", column: t.column) }

        if let field = textKeys[key] {
            guard op == ":" else { throw fail("\(key) is text: write \(key):value") }
            return .text(field, glob: value)
        }
        switch key {
        case "outcome":
            guard op == ":", let c = RequestLogOutcomeClass(rawValue: value.lowercased()) else {
                throw fail("outcome is one of \(RequestLogOutcomeClass.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return .outcome(c)
        case "since", "until":
            guard op == ":" else { throw fail("write \(key):DURATION, e.g. \(key):15m") }
            guard let seconds = RequestLogFilter.seconds(value) else {
                throw fail("'\(value)' is not a duration: use a number with s, m, h, d or w (15m, 1h, 7d)")
            }
            return key == "since" ? .since(seconds: seconds) : .until(seconds: seconds)
        case "status" where op == ":":
            if let c = RequestLogOutcomeClass(rawValue: value.lowercased()) { return .outcome(c) }
            if value.count == 3, let first = value.first?.wholeNumberValue, (1...5).contains(first), value.lowercased().hasSuffix("xx") {
                return .and([.number(.status, .greaterOrEqual, Int64(first * 100)), .number(.status, .less, Int64(first * 100 + 100))])
            }
            guard let n = Int64(value) else {
                throw fail(
                    "status is an HTTP status (429), a class (4xx, 5xx) or an outcome (\(RequestLogOutcomeClass.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            return .number(.status, .equal, n)
        default:
            guard let field = numberKeys[key] else {
                throw fail("unknown key '\(key)' (keys: \(keyList))")
            }
            if field == .latency {
                guard let micros = latency(value) else { throw fail("'\(value)' is not a latency: use a number with us, ms or s (500ms, 2s)") }
                return .number(.latency, comparison, micros)
            }
            guard let n = Int64(value) else { throw fail("'\(value)' is not a whole number") }
            return .number(field, comparison, n)
        }
    }

    /// Where the operator is: the first `:`, `>=`, `<=`, `>`, `<` or `=`.
    static func operatorRange(_ word: String) -> Range<String.Index>? {
        guard let i = word.firstIndex(where: { ":<>=".contains($0) }), i != word.startIndex else { return nil }
        let next = word.index(after: i)
        if "<>".contains(word[i]), next < word.endIndex, word[next] == "=" { return i..<word.index(after: next) }
        return i..<next
    }

    /// `500ms` → 500,000 µs; `2s`, `750us`, `1.5s`; a bare number is milliseconds.
    static func latency(_ text: String) -> Int64? {
        let units: [(String, Double)] = [("us", 1), ("µs", 1), ("ms", 1000), ("s", 1_000_000)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let n = Double(text.dropLast(suffix.count)), n.isFinite, n >= 0, n * scale < 9e18 else { return nil }
            return Int64((n * scale).rounded())
        }
        guard let n = Double(text), n.isFinite, n >= 0, n < 9e15 else { return nil }
        return Int64((n * 1000).rounded())
    }
}
