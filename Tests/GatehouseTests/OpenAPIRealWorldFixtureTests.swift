import Foundation
import Testing

@testable import GatewayEngine

/// Every real API description in `Tests/Fixtures/real-world` (sources and licences in its README) imports
/// leniently: none is refused, and the number of operations built and of warnings is what it was when the fixture
/// was added, so a change in what the importer accepts shows up here.
@Suite struct OpenAPIRealWorldFixtureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/real-world")

    /// name → (file, operations built, warnings).
    static let expected: [String: (file: String, operations: Int, warnings: Int)] = [
        "slack": ("spec.json.gz", 174, 88),
        "toolhive": ("spec.json.gz", 77, 19),
        "openai": ("spec.yaml.gz", 288, 51), // two of them: $recursiveRef, which the validator does not enforce
        "box": ("spec.json.gz", 296, 41),
        "twilio-api-v2010": ("spec.json.gz", 197, 0),
        "moby": ("spec.yaml.gz", 108, 16),
    ]

    static func load(_ name: String) throws -> ImportedAPI {
        let entry = try #require(expected[name])
        let gz = try Data(contentsOf: root.appendingPathComponent("\(name)/\(entry.file)"))
        let data = try DocumentSet.gunzip(gz, display: name)
        let sourceName = String(entry.file.dropLast(3))
        return try OpenAPIImporter().importDocument(data, sourceName: sourceName, sourceURL: nil)
    }

    @Test(arguments: ["slack", "toolhive", "openai", "box", "twilio-api-v2010", "moby"])
    func importsLeniently(name: String) throws {
        let api = try Self.load(name)
        let entry = try #require(Self.expected[name])
        #expect(api.operations.count == entry.operations)
        #expect(api.diagnostics.count == entry.warnings)
    }
}
