import Foundation

// The applicators beyond the combinators: `contains` (with `minContains`/`maxContains`), `propertyNames`,
// `dependentRequired`, `dependentSchemas` (and draft 4–7 `dependencies`), and `if`/`then`/`else`.
extension JSONSchemaValidator {
    func checkApplicators(_ value: JSONValue, _ s: JSONObject, _ pointer: String, _ depth: Int, _ sink: inout ViolationSink) {
        if let condition = s["if"], s["then"] != nil || s["else"] != nil {
            let holds = passes(value, condition, pointer: pointer, depth: depth + 1)
            if holds, let then = s["then"] {
                check(value, then, pointer: pointer, depth: depth + 1, into: &sink)
            } else if !holds, let otherwise = s["else"] {
                check(value, otherwise, pointer: pointer, depth: depth + 1, into: &sink)
            }
        }
        switch value {
        case .array(let items): checkContains(items, s, pointer, depth, &sink)
        case .object(let object): checkDependencies(object, s, pointer, depth, &sink)
        default: break
        }
    }

    private func checkContains(_ items: [JSONValue], _ s: JSONObject, _ pointer: String, _ depth: Int, _ sink: inout ViolationSink) {
        guard let contains = s["contains"] else { return }
        let minimum = s["minContains"]?.intValue ?? 1
        let maximum = s["maxContains"]?.intValue
        var count = 0
        for (n, item) in items.enumerated() where passes(item, contains, pointer: Self.child(pointer, String(n)), depth: depth + 1) {
            count += 1
            if count >= minimum, maximum == nil { return }
        }
        if count < minimum {
            sink.add(
                pointer,
                minimum == 1
                    ? "no item matches the schema given in \"contains\""
                    : "\(count) items match the schema given in \"contains\"; at least \(minimum) required")
        }
        if let maximum, count > maximum {
            sink.add(pointer, "\(count) items match the schema given in \"contains\"; at most \(maximum) allowed")
        }
    }

    private func checkDependencies(_ object: JSONObject, _ s: JSONObject, _ pointer: String, _ depth: Int, _ sink: inout ViolationSink) {
        if let names = s["propertyNames"] {
            for key in object.keys.sorted() {
                if let v = firstViolation(.string(key), names, pointer: pointer, depth: depth + 1) {
                    sink.add(pointer, "property name \(Self.render(.string(key))) is not allowed (\(v.message))")
                }
            }
        }
        var required: [(String, [JSONValue])] = []
        var schemas: [(String, JSONValue)] = []
        for (key, dependency) in s["dependentRequired"]?.objectValue ?? [:] {
            if let names = dependency.arrayValue { required.append((key, names)) }
        }
        for (key, dependency) in s["dependentSchemas"]?.objectValue ?? [:] { schemas.append((key, dependency)) }
        for (key, dependency) in s["dependencies"]?.objectValue ?? [:] {
            if let names = dependency.arrayValue { required.append((key, names)) } else { schemas.append((key, dependency)) }
        }
        for (key, names) in required.sorted(by: { $0.0 < $1.0 }) where object[key] != nil {
            for case .string(let name) in names where object[name] == nil {
                sink.add(pointer, "property \(Self.render(.string(name))) is required when \(Self.render(.string(key))) is present")
            }
        }
        for (key, schema) in schemas.sorted(by: { $0.0 < $1.0 }) where object[key] != nil {
            check(.object(object), schema, pointer: pointer, depth: depth + 1, into: &sink)
        }
    }
}
