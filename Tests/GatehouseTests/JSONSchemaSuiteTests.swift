import Foundation
import Testing

@testable import GatewayEngine

/// The validator against the official JSON-Schema-Test-Suite (draft 2020-12, the keywords it enforces), vendored
/// in `Tests/Fixtures/JSON-Schema-Test-Suite` under its licence. Every test of every case runs, except cases whose
/// schema uses `$ref`/`$defs` (the importer inlines references before the validator sees a schema) or a keyword
/// of ``JSONSchemaKeywords/unsupported`` (the importer reports those); a result
/// that differs from the suite's fails, unless it is listed in ``knownDifferences`` with its reason.
@Suite struct JSONSchemaSuiteTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/JSON-Schema-Test-Suite/draft2020-12").standardizedFileURL

    /// `file / case / test` → why the validator differs on purpose.
    static let knownDifferences: [String: String] = [:]

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }

    /// Whether a schema uses references or an unsupported keyword anywhere (keys are looked for at every level:
    /// a property named like a keyword only makes the check skip more, never less).
    static func isSkipped(_ schema: JSONValue) -> Bool {
        switch schema {
        case .object(let o):
            o.keys.contains { $0 == "$ref" || $0 == "$defs" || JSONSchemaKeywords.unsupported[$0] != nil }
                || o.contains { isSkipped($0.value) }
        case .array(let a): a.contains(where: isSkipped)
        default: false
        }
    }

    @Test("the vendored suite is there: 35 keyword files")
    func vendored() {
        #expect(Self.files.count == 35, "\(Self.files)")
    }

    @Test("every vendored keyword file is a keyword the validator enforces or an annotation")
    func keywordsCovered() {
        let special: Set<String> = ["boolean_schema", "if-then-else"]
        for name in Self.files {
            let keyword = String(name.dropLast(".json".count))
            #expect(
                special.contains(keyword) || JSONSchemaKeywords.enforced.contains(keyword)
                    || JSONSchemaKeywords.annotations.contains(keyword), "\(keyword)")
        }
    }

    @Test("every test of the suite's files gives the suite's answer", arguments: files)
    func file(_ name: String) throws {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent(name))
        let cases = try #require(JSONParser().parse(data).arrayValue)
        var ran = 0
        for group in cases {
            let description = group["description"]?.stringValue ?? "?"
            let schema = try #require(group["schema"])
            if Self.isSkipped(schema) { continue }
            for test in group["tests"]?.arrayValue ?? [] {
                let what = "\(name) / \(description) / \(test["description"]?.stringValue ?? "?")"
                let expected = try #require(test["valid"]?.boolValue as Bool?)
                let got = JSONSchemaValidator().isValid(try #require(test["data"]), against: schema)
                ran += 1
                if got != expected, Self.knownDifferences[what] == nil {
                    Issue.record("\(what): the suite says \(expected ? "valid" : "invalid"), the validator \(got ? "valid" : "invalid")")
                }
            }
        }
        #expect(ran > 0, "no test of \(name) ran")
    }
}
