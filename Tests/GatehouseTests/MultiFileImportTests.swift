import Foundation
import Store
import Testing
import ZIPFoundation

@testable import GatewayEngine

/// Multi-file documents (issue 11, "External references"): a directory, its root file, a `.zip` or a `.tar.gz`,
/// with relative references resolved inside it only — and hostile ones that try to leave it.
@Suite struct MultiFileImportTests {
    static let fixture: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/multi-file/petstore").standardizedFileURL.path

    func operation(_ api: ImportedAPI, _ name: String) throws -> OperationDefinition {
        try #require(api.operations.first { $0.toolName == name }, "\(api.operations.map(\.toolName))")
    }

    /// What every way of giving the split petstore must produce.
    func checkPetstore(_ api: ImportedAPI, files prefix: String) throws {
        #expect(api.title == "Split Petstore")
        #expect(Set(api.operations.map(\.toolName)) == ["listPets", "createPet", "getPet", "deletePet"])
        let list = try operation(api, "listPets")
        // The parameter from common/parameters.yaml; schemas from schemas/pet.yaml, its recursion kept finite.
        #expect(list.parameters.map(\.name) == ["limit"])
        #expect(list.inputSchema["properties"]?["limit"]?["maximum"] == .int(100))
        let create = try operation(api, "createPet")
        let pet = try #require(create.outputSchema)
        #expect(pet["properties"]?["name"]?["type"] == .string("string"))
        #expect(pet["properties"]?["tag"]?["properties"]?["label"] != nil)
        #expect(pet["properties"]?["children"]?["items"]?["type"] == .string("object"))
        #expect(create.body?.mode == .flattened && create.body?.properties.contains("name") == true)
        let get = try operation(api, "getPet")
        #expect(get.path == "/pets/{petId}" && get.parameters.map(\.name) == ["petId"])
        // A defect in another file is reported at its place in that file.
        let locations = api.diagnostics.compactMap(\.location)
        #expect(locations.contains(prefix + "schemas/tag.yaml#/properties/id/type"), "\(locations)")
        #expect(api.documentText?.contains(DocumentBundler.filesKey) == true)
    }

    @Test func aDirectoryImports() throws {
        let api = try OpenAPIImporter().importLocal(path: Self.fixture)
        try checkPetstore(api, files: Self.fixture + "/")
        #expect(api.referencedFiles.count == 8)
    }

    @Test func theRootFileImportsWithItsDirectory() throws {
        let api = try OpenAPIImporter().importLocal(path: Self.fixture + "/openapi.yaml")
        try checkPetstore(api, files: Self.fixture + "/")
    }

    @Test func aZipArchiveImports() throws {
        let dir = TempDir()
        let zip = dir.path + "/petstore.zip"
        try FileManager.default.zipItem(at: URL(fileURLWithPath: Self.fixture), to: URL(fileURLWithPath: zip))
        let api = try OpenAPIImporter().importLocal(path: zip)
        try checkPetstore(api, files: zip + ":")
    }

    @Test func aTarGzArchiveImports() throws {
        let dir = TempDir()
        let archive = dir.path + "/petstore.tar.gz"
        try run("/usr/bin/env", ["tar", "-czf", archive, "-C", (Self.fixture as NSString).deletingLastPathComponent, "petstore"])
        let api = try OpenAPIImporter().importLocal(path: archive)
        try checkPetstore(api, files: archive + ":")
    }

    @Test func anImportThroughTheServiceKeepsTheBundle() async throws {
        let dir = TempDir()
        let store = try GatewayStore(configuration: .init(path: dir.path + "/g.sqlite"))
        let prepared = try await APIImportService(store: store).prepare(.init(name: "pets", source: Self.fixture))
        #expect(prepared.imported.operations.count == 4)
        // The stored document is self-contained: it imports again from its text alone.
        let again = try OpenAPIImporter().importDocument(Data(prepared.document.utf8), sourceName: "stored", sourceURL: nil)
        #expect(again.operations.map(\.toolName) == prepared.imported.operations.map(\.toolName))
    }

    // MARK: hostile documents

    /// A directory `spec/` with `openapi.yaml` whose one operation's response schema is `$ref: ref`, and a file
    /// outside it (`secret.yaml`).
    func hostile(_ ref: String, extra: (String) throws -> Void = { _ in }) throws -> (TempDir, String) {
        let dir = TempDir()
        let spec = dir.path + "/spec"
        try FileManager.default.createDirectory(atPath: spec, withIntermediateDirectories: true)
        try "type: object\nproperties: {stolen: {type: string}}\n".write(toFile: dir.path + "/secret.yaml", atomically: true, encoding: .utf8)
        try """
        openapi: 3.0.3
        info: {title: H, version: "1"}
        paths:
          /ok:
            get:
              operationId: ok
              responses: {"200": {description: ok}}
          /bad:
            get:
              operationId: bad
              responses:
                "200":
                  description: ok
                  content: {application/json: {schema: {$ref: "\(ref)"}}}
        """.write(toFile: spec + "/openapi.yaml", atomically: true, encoding: .utf8)
        try extra(spec)
        return (dir, spec)
    }

    /// Imports leniently (the bad operation skipped) and strictly (refused); returns the reason given.
    func refusal(_ spec: String) throws -> String {
        let api = try OpenAPIImporter().importLocal(path: spec)
        #expect(api.operations.map(\.toolName) == ["ok"])
        #expect(api.documentText?.contains("stolen") != true)
        let message = try #require(api.diagnostics.first { $0.message.contains("GET /bad") }?.message ?? api.diagnostics.first?.message)
        #expect(throws: GatewayError.self) { try OpenAPIImporter().importLocal(path: spec, options: .init(strict: true)) }
        return message
    }

    @Test(arguments: ["../secret.yaml", "sub/../../secret.yaml", "./../secret.yaml#/properties"])
    func dotDotCannotLeaveTheDirectory(ref: String) throws {
        let (dir, spec) = try hostile(ref)
        _ = dir
        #expect(try refusal(spec).contains("leaves the directory of the document"))
    }

    @Test func absolutePathsAreRefused() throws {
        let (dir, spec) = try hostile("/etc/passwd")
        _ = dir
        #expect(try refusal(spec).contains("is an absolute path"))
    }

    @Test(arguments: ["https://example.com/secret.yaml", "http://169.254.169.254/latest/meta-data", "//evil.example/x.yaml", "file:///etc/passwd"])
    func urlsAreNeverFetched(ref: String) throws {
        let (dir, spec) = try hostile(ref)
        _ = dir
        let message = try refusal(spec)
        #expect(message.contains("URL"), "\(message)")
        #expect(message.contains("never fetched") || message.contains("are never"), "\(message)")
    }

    @Test func aSymbolicLinkOutOfTheDirectoryIsRefused() throws {
        let (dir, spec) = try hostile("link.yaml") { spec in
            try FileManager.default.createSymbolicLink(atPath: spec + "/link.yaml", withDestinationPath: "../secret.yaml")
        }
        _ = dir
        #expect(try refusal(spec).contains("symbolic link to a file outside"))
    }

    @Test func aSymbolicLinkInsideTheDirectoryIsFollowed() throws {
        let (dir, spec) = try hostile("link.yaml") { spec in
            try "type: object\nproperties: {fine: {type: string}}\n".write(toFile: spec + "/real.yaml", atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: spec + "/link.yaml", withDestinationPath: "real.yaml")
        }
        _ = dir
        let api = try OpenAPIImporter().importLocal(path: spec)
        #expect(api.operations.count == 2)
    }

    @Test func aMissingOrUnparsableFileIsNamed() throws {
        let (dir, spec) = try hostile("missing.yaml")
        _ = dir
        #expect(try refusal(spec).contains("no file 'missing.yaml'"))
        let (dir2, spec2) = try hostile("broken.yaml") { spec in
            try "a: [unclosed\n".write(toFile: spec + "/broken.yaml", atomically: true, encoding: .utf8)
        }
        _ = dir2
        #expect(try refusal(spec2).contains("broken.yaml"))
    }

    @Test func archiveEntriesThatLeaveTheArchiveOrAreLinksAreNeverRead() throws {
        let dir = TempDir()
        let zip = dir.path + "/evil.zip"
        let archive = try Archive(url: URL(fileURLWithPath: zip), accessMode: .create)
        func add(_ path: String, _ text: String, type: Entry.EntryType = .file) throws {
            let data = Data(text.utf8)
            try archive.addEntry(
                with: path, type: type, uncompressedSize: Int64(data.count),
                provider: { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                })
        }
        try add(
            "openapi.yaml",
            """
            openapi: 3.0.3
            info: {title: Z, version: "1"}
            paths:
              /ok: {get: {operationId: ok, responses: {"200": {description: ok}}}}
              /up: {get: {operationId: up, responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "../evil.yaml"}}}}}}}
              /link: {get: {operationId: link, responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "passwd.yaml"}}}}}}}
            """)
        try add("../evil.yaml", "type: object\n")
        try add("passwd.yaml", "/etc/passwd", type: .symlink)
        let api = try OpenAPIImporter().importLocal(path: zip)
        #expect(api.operations.map(\.toolName) == ["ok"])
        let messages = api.diagnostics.map(\.message).joined(separator: "\n")
        #expect(messages.contains("leaves the directory"), "\(messages)")
        #expect(messages.contains("is a link in the archive"), "\(messages)")
    }

    @Test func aDirectoryWithoutOrWithSeveralRootsIsRefusedClearly() throws {
        let dir = TempDir()
        try "a: 1\n".write(toFile: dir.path + "/notes.yaml", atomically: true, encoding: .utf8)
        #expect(throws: GatewayError.self) { try OpenAPIImporter().importLocal(path: dir.path) }
        try "openapi: 3.0.3\n".write(toFile: dir.path + "/a.yaml", atomically: true, encoding: .utf8)
        try "swagger: '2.0'\n".write(toFile: dir.path + "/b.yaml", atomically: true, encoding: .utf8)
        do {
            _ = try OpenAPIImporter().importLocal(path: dir.path)
            Issue.record("an ambiguous directory was imported")
        } catch {
            #expect(error.message.contains("several documents could be the root (a.yaml, b.yaml)"))
        }
    }

    func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
