import Foundation

/// Reads a document's bytes (JSON or YAML) into a `JSONValue` tree, with bounds on size, nesting and YAML alias
/// expansion so that a hostile document fails fast.
struct SourceLoader {
    /// Documents larger than this are refused before parsing (20 MiB).
    static let maxBytes = 20 * 1024 * 1024
    /// The deepest nesting of objects and arrays accepted.
    static let maxDepth = 200

    /// The file path or URL, used as the error location prefix.
    let sourceName: String

    /// Parses `data` as JSON when it starts with `{` or `[`, else as YAML.
    func load(_ data: Data) throws(GatewayError) -> JSONValue {
        guard data.count <= Self.maxBytes else {
            throw GatewayError(
                .invalidSpec,
                "document is \(data.count) bytes; the limit is \(Self.maxBytes) bytes (20 MiB)",
                location: sourceName)
        }
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard !bytes.isEmpty, bytes.contains(where: { !Self.isWhitespace($0) }) else {
            throw GatewayError(.invalidSpec, "document is empty", location: sourceName)
        }
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) {
            throw GatewayError(.invalidSpec, "document is not UTF-8 (UTF-16 byte-order mark)", location: sourceName)
        }
        let first = bytes.first { !Self.isWhitespace($0) }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            return try parseJSON(bytes)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw GatewayError(.invalidSpec, "document is not valid UTF-8", location: sourceName)
        }
        return try YAMLTreeConverter(sourceName: sourceName).convert(text)
    }

    private static func isWhitespace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
    }

    private func parseJSON(_ bytes: [UInt8]) throws(GatewayError) -> JSONValue {
        do {
            return try JSONParser(maxDepth: Self.maxDepth).parse(bytes)
        } catch {
            let (line, column) = Self.lineAndColumn(of: error.offset, in: bytes)
            throw GatewayError(
                .invalidSpec, "invalid JSON: \(error.message)", location: "\(sourceName):\(line):\(column)")
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (Int, Int) {
        let end = min(max(offset, 0), bytes.count)
        var line = 1
        var lineStart = 0
        for i in 0..<end where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        let column = String(decoding: bytes[lineStart..<end], as: UTF8.self).count + 1
        return (line, column)
    }
}
