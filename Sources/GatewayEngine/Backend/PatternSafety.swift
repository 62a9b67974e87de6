import Foundation

/// Which JSON Schema `pattern`s the gateway evaluates. The regex engine (ICU, behind `NSRegularExpression`)
/// backtracks, so a pattern such as `^(a+)+$` costs time exponential in the input on a near-miss (ReDoS). A pattern
/// the gateway cannot bound is refused: dropped with a warning at import and never evaluated at call time (the
/// backend still validates its own input).
///
/// Refused: a repeated group (`*`, `+`, `{n,}`, `{n,m}` with m > 1) that itself contains a quantifier (nested
/// quantifiers), backreferences (`\1`, `\k<name>`), and patterns longer than ``maxLength`` characters.
package enum PatternSafety {
    /// The longest pattern evaluated: 1,000 characters.
    package static let maxLength = 1_000

    /// Why `pattern` cannot be evaluated in bounded time, or nil when it can.
    package static func problem(_ pattern: String) -> String? {
        let chars = Array(pattern)
        guard chars.count <= maxLength else { return "longer than \(maxLength) characters" }
        // One entry per open group: whether it holds a quantifier.
        var groups: [Bool] = [false]
        var i = 0
        /// The quantifier at `j`: its length in characters and whether it repeats more than once; nil when none.
        func quantifier(at j: Int) -> (length: Int, repeats: Bool)? {
            guard j < chars.count else { return nil }
            var length = 0
            var repeats = false
            switch chars[j] {
            case "*", "+": (length, repeats) = (1, true)
            case "?": (length, repeats) = (1, false)
            case "{":
                guard let close = chars[j...].firstIndex(of: "}") else { return nil }
                let body = String(chars[(j + 1)..<close])
                let parts = body.split(separator: ",", omittingEmptySubsequences: false)
                guard (1...2).contains(parts.count), parts.allSatisfy({ $0.allSatisfy(\.isNumber) }), !parts[0].isEmpty else { return nil }
                let upper = parts.count == 1 ? Int(parts[0]) : (parts[1].isEmpty ? Int.max : Int(parts[1]))
                (length, repeats) = (close - j + 1, (upper ?? Int.max) > 1)
            default: return nil
            }
            if j + length < chars.count, chars[j + length] == "?" || chars[j + length] == "+" { length += 1 }
            return (length, repeats)
        }
        while i < chars.count {
            switch chars[i] {
            case "\\":
                guard i + 1 < chars.count else { return nil }
                let next = chars[i + 1]
                if next.isNumber && next != "0" || next == "k" { return "uses a backreference" }
                i += 2
            case "[":
                var j = i + 1
                if j < chars.count, chars[j] == "^" { j += 1 }
                if j < chars.count, chars[j] == "]" { j += 1 }
                while j < chars.count, chars[j] != "]" { j += chars[j] == "\\" ? 2 : 1 }
                i = j + 1
            case "(":
                groups.append(false)
                i += 1
                // (?:…), (?=…), (?!…), (?<=…), (?<!…), (?<name>…), (?P<name>…): not quantifiers.
                if i < chars.count, chars[i] == "?" {
                    i += 1
                    if i < chars.count, chars[i] == "P" { i += 1 }
                    if i < chars.count, chars[i] == "<" {
                        i += 1
                        if i < chars.count, chars[i] == "=" || chars[i] == "!" {
                            i += 1
                        } else {
                            while i < chars.count, chars[i] != ">" { i += 1 }
                            i += 1
                        }
                    } else if i < chars.count {
                        i += 1
                    }
                }
                continue
            case ")":
                let inner = groups.count > 1 ? groups.removeLast() : false
                i += 1
                if let q = quantifier(at: i) {
                    if q.repeats && inner { return "nests quantifiers (a repeated group that repeats inside), which backtracks exponentially" }
                    groups[groups.count - 1] = true
                    i += q.length
                } else if inner {
                    groups[groups.count - 1] = true
                }
                continue
            default:
                i += 1
            }
            if let q = quantifier(at: i) {
                groups[groups.count - 1] = true
                i += q.length
            }
        }
        return nil
    }

    /// `schema` without the patterns ``problem(_:)`` refuses (`pattern` keywords and `patternProperties` entries,
    /// at any depth), and each dropped pattern with its reason.
    package static func strippingUnsafe(_ schema: JSONValue) -> (schema: JSONValue, dropped: [(pattern: String, reason: String)]) {
        var dropped: [(pattern: String, reason: String)] = []
        func walk(_ value: JSONValue) -> JSONValue {
            switch value {
            case .array(let items): return .array(items.map(walk))
            case .object(var object):
                if case .string(let p)? = object["pattern"], let reason = problem(p) {
                    object["pattern"] = nil
                    dropped.append((p, reason))
                }
                if case .object(var pp)? = object["patternProperties"] {
                    for key in pp.keys.sorted() {
                        if let reason = problem(key) {
                            pp[key] = nil
                            dropped.append((key, reason))
                        }
                    }
                    object["patternProperties"] = .object(pp)
                }
                for key in object.keys.sorted() { object[key] = walk(object[key]!) }
                return .object(object)
            default: return value
            }
        }
        let out = walk(schema)
        return (dropped.isEmpty ? schema : out, dropped)
    }
}
