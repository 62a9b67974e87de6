/// The `server.json` rules for packages, their transports, arguments and inputs.
extension Checker {
    mutating func package(_ value: JSONValue, _ pointer: String) {
        guard let o = object(value, pointer) else { return }
        required(o, ["registryType", "identifier", "transport"], pointer)
        var registryType: String?
        if let v = o["registryType"] { registryType = string(v, pointer + "/registryType", min: 1) }
        if let v = o["identifier"] { _ = string(v, pointer + "/identifier", min: 1) }
        if let v = o["registryBaseUrl"] { uri(v, pointer + "/registryBaseUrl") }
        if let v = o["version"], let s = string(v, pointer + "/version", min: 1), let problem = ServerJSONValidator.versionProblem(s) {
            fail(pointer + "/version", problem)
        }
        if let v = o["fileSha256"] { _ = string(v, pointer + "/fileSha256", pattern: "^[a-f0-9]{64}$", patternName: "64 lowercase hex digits") }
        if registryType == "mcpb", o["fileSha256"] == nil {
            fail(pointer, "required: 'fileSha256' is required for mcpb packages")
        }
        if let v = o["runtimeHint"] { _ = string(v, pointer + "/runtimeHint") }
        if let v = o["transport"] { localTransport(v, pointer + "/transport") }
        for key in ["runtimeArguments", "packageArguments"] {
            guard let v = o[key], let items = array(v, pointer + "/" + key) else { continue }
            for (i, a) in items.enumerated() { argument(a, Self.child(pointer + "/" + key, i)) }
        }
        if let v = o["environmentVariables"], let items = array(v, pointer + "/environmentVariables") {
            for (i, e) in items.enumerated() { keyValueInput(e, Self.child(pointer + "/environmentVariables", i)) }
        }
    }

    /// `stdio`, `streamable-http` (with `url`) or `sse` (with `url`).
    mutating func localTransport(_ value: JSONValue, _ pointer: String) {
        guard let o = object(value, pointer) else { return }
        required(o, ["type"], pointer)
        guard let v = o["type"], let type = string(v, pointer + "/type") else { return }
        switch type {
        case "stdio":
            break
        case "streamable-http", "sse":
            required(o, ["url"], pointer)
            if let u = o["url"] {
                _ = string(
                    u, pointer + "/url", pattern: ServerJSONValidator.urlPattern, patternName: "http://, https:// or a {variable}, without spaces")
            }
            if let h = o["headers"], let headers = array(h, pointer + "/headers") {
                for (i, item) in headers.enumerated() { keyValueInput(item, Self.child(pointer + "/headers", i)) }
            }
        default:
            fail(pointer + "/type", "enum: must be one of stdio, streamable-http, sse (got '\(type.prefix(60))')")
        }
    }

    /// A positional (`valueHint` or `value`) or named (`name`) command-line argument.
    mutating func argument(_ value: JSONValue, _ pointer: String) {
        guard let o = object(value, pointer) else { return }
        input(o, pointer, withVariables: true)
        required(o, ["type"], pointer)
        if let v = o["isRepeated"] { bool(v, pointer + "/isRepeated") }
        guard let v = o["type"], let type = string(v, pointer + "/type") else { return }
        switch type {
        case "positional":
            if let h = o["valueHint"] { _ = string(h, pointer + "/valueHint") }
            if o["valueHint"] == nil && o["value"] == nil { fail(pointer, "anyOf: a positional argument needs 'valueHint' or 'value'") }
        case "named":
            required(o, ["name"], pointer)
            if let n = o["name"] { _ = string(n, pointer + "/name", min: 1) }
        default:
            fail(pointer + "/type", "enum: must be one of positional, named (got '\(type.prefix(60))')")
        }
    }

    /// A header or environment variable: an input with a `name`.
    mutating func keyValueInput(_ value: JSONValue, _ pointer: String) {
        guard let o = object(value, pointer) else { return }
        required(o, ["name"], pointer)
        if let n = o["name"] { _ = string(n, pointer + "/name", min: 1) }
        input(o, pointer, withVariables: true)
    }

    mutating func variables(_ value: JSONValue, _ pointer: String) {
        guard let o = object(value, pointer) else { return }
        for (key, v) in o {
            guard let input = object(v, Self.child(pointer, key)) else { continue }
            self.input(input, Self.child(pointer, key), withVariables: false)
        }
    }

    /// The `Input` properties (description, isRequired, format, value, isSecret, default, placeholder, choices) and,
    /// for `InputWithVariables`, `variables`.
    mutating func input(_ o: JSONObject, _ pointer: String, withVariables: Bool) {
        for key in ["description", "value", "default", "placeholder"] {
            if let v = o[key] { _ = string(v, pointer + "/" + key) }
        }
        for key in ["isRequired", "isSecret"] {
            if let v = o[key] { bool(v, pointer + "/" + key) }
        }
        if let v = o["format"] { oneOf(v, pointer + "/format", ["string", "number", "boolean", "filepath"]) }
        if let v = o["choices"], let items = array(v, pointer + "/choices") {
            for (i, c) in items.enumerated() { _ = string(c, Self.child(pointer + "/choices", i)) }
        }
        if withVariables, let v = o["variables"] { variables(v, pointer + "/variables") }
    }
}
