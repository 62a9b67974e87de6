import Foundation
import Testing
import Yams

@testable import GatewayEngine

/// Imports every document of the OpenAPI corpus (copied into `Tests/Fixtures`) and checks the compiled operations against the raw tree.
@Suite struct OpenAPICorpusTests {
    /// `GATEHOUSE_CORPUS`, else the copy in the repository, `Tests/Fixtures/openapi-corpus` (MIT, its LICENSE.md
    /// beside it; the package root is three levels up from this file).
    static let corpusDirectory: URL = {
        if let path = ProcessInfo.processInfo.environment["GATEHOUSE_CORPUS"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.appendingPathComponent("Tests/Fixtures/openapi-corpus").standardizedFileURL
    }()

    static var corpusFiles: [URL] {
        guard let enumerator = FileManager.default.enumerator(at: corpusDirectory, includingPropertiesForKeys: nil)
        else { return [] }
        return enumerator.compactMap { $0 as? URL }
            .filter { ["json", "yaml", "yml"].contains($0.pathExtension.lowercased()) }
            .sorted { $0.path < $1.path }
    }

    static var corpusExists: Bool { !corpusFiles.isEmpty }

    @Test func importsEveryCorpusDocument() throws {
        try #require(Self.corpusExists, "corpus not found at \(Self.corpusDirectory.path) (set GATEHOUSE_CORPUS)")
        let toolName = try Regex("^[A-Za-z0-9_.-]{1,128}$")
        var imported = 0
        var refused: [String] = []
        for file in Self.corpusFiles {
            let relative = String(file.path.dropFirst(Self.corpusDirectory.path.count + 1))
            let data = try Data(contentsOf: file)
            let result = Result { () throws(GatewayError) -> ImportedAPI in
                try OpenAPIImporter().importDocument(data, sourceName: relative, sourceURL: nil)
            }
            switch result {
            case .success(let api):
                imported += 1
                let expected = try Self.countOperations(data, yaml: file.pathExtension != "json")
                #expect(api.operations.count == expected, "\(relative): operation count")
                let names = api.operations.map(\.toolName)
                #expect(Set(names).count == names.count, "\(relative): tool names are not unique: \(names)")
                #expect(Set(api.operations.map(\.key)).count == api.operations.count, "\(relative): duplicate keys")
                for operation in api.operations {
                    let where_ = "\(relative) \(operation.key)"
                    #expect(operation.toolName.wholeMatch(of: toolName) != nil, "\(where_): bad tool name")
                    #expect(Self.isObjectSchema(operation.inputSchema), "\(where_): inputSchema is not an object")
                    #expect(!Self.containsRef(operation.inputSchema), "\(where_): $ref left in inputSchema")
                    if let output = operation.outputSchema {
                        #expect(output["type"] == .string("object"), "\(where_): outputSchema is not an object")
                        #expect(!Self.containsRef(output), "\(where_): $ref left in outputSchema")
                    }
                    #expect(!operation.description.isEmpty && operation.description.count <= 1_000)
                }
            case .failure(let error):
                refused.append("\(relative): \(error)")
                #expect(!error.message.isEmpty, "\(relative): empty error message")
                #expect(error.location?.isEmpty == false, "\(relative): error has no location")
            }
        }
        print("OpenAPI corpus: \(imported) imported, \(refused.count) refused")
        for line in refused { print("  refused \(line)") }
        #expect(imported > 0)
    }

    /// Whether a schema is `{"type": "object", "properties": {...}}`.
    static func isObjectSchema(_ schema: JSONValue) -> Bool {
        schema["type"] == .string("object") && schema["properties"]?.objectValue != nil
    }

    /// Whether any object in the tree has a string `$ref`.
    static func containsRef(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let object):
            if object["$ref"]?.stringValue != nil { return true }
            return object.contains { containsRef($0.value) }
        case .array(let array):
            return array.contains(where: containsRef)
        default:
            return false
        }
    }

    /// Counts (path, method) pairs from the raw document, following a local path item `$ref`.
    static func countOperations(_ data: Data, yaml: Bool) throws -> Int {
        let root: Any
        if yaml {
            root = try Yams.load(yaml: String(decoding: data, as: UTF8.self)) ?? [:]
        } else {
            root = try JSONSerialization.jsonObject(with: data)
        }
        let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        guard let paths = stringKeyed(stringKeyed(root)?["paths"]) else { return 0 }
        var count = 0
        for (path, item) in paths where !path.hasPrefix("x-") {
            guard var object = stringKeyed(item) else { continue }
            if let ref = object["$ref"] as? String, ref.hasPrefix("#/"), let target = stringKeyed(resolve(ref, root)) {
                object = target
            }
            count += object.keys.filter(methods.contains).count
        }
        return count
    }

    static func stringKeyed(_ value: Any?) -> [String: Any]? {
        if let object = value as? [String: Any] { return object }
        guard let object = value as? [AnyHashable: Any] else { return nil }
        return Dictionary(uniqueKeysWithValues: object.map { ("\($0.key)", $0.value) })
    }

    static func resolve(_ ref: String, _ root: Any) -> Any? {
        var current: Any? = root
        for token in ref.dropFirst(2).split(separator: "/") {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            current = stringKeyed(current)?[key.removingPercentEncoding ?? key]
        }
        return current
    }
}
