import ArgumentParser
import Foundation
import GatewayEngine
import Store

struct APICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api", abstract: "Manage imported REST APIs.",
        subcommands: [Import.self, List.self, Show.self, Set.self, Delete.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import an OpenAPI 3.0/3.1 or Swagger 2.0 document (JSON or YAML).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "A name for the API.") var name: String
        @Option(
            name: .long,
            help:
                "A file (its references to other files are read inside its directory), a directory holding the root document, a .zip or .tar.gz archive, or an http(s) URL."
        ) var from: String
        @Option(name: .long, help: "Backend base URL, overriding the document's servers[].") var baseUrl: String?
        @Flag(name: .long, help: "Allow the backend (and a spec URL) on loopback or private networks.") var allowPrivateNetwork = false
        @Flag(name: .long, help: "Refuse the document when it has any defect (all are listed), instead of importing what can be imported.")
        var strict = false
        @Flag(name: .long, help: "Keep tool names up to 128 characters (default: shortened to 64, OpenAI's and Anthropic's limit).")
        var keepLongNames = false
        @Option(name: .long, help: "How answers are checked against output schemas: strict, tolerant (default) or off.")
        var outputSchema: OutputSchemaMode?

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                let service = APIImportService(store: db)
                let prepared = try await service.prepare(
                    {
                        var request = APIImportService.Request(
                            name: name, source: from, baseDirectory: FileManager.default.currentDirectoryPath, baseURL: baseUrl,
                            allowPrivateNetwork: allowPrivateNetwork, options: .init(strict: strict, keepLongNames: keepLongNames))
                        request.outputSchemaMode = outputSchema
                        return request
                    }())
                let outcome = try service.save(prepared)
                printImportFindings(prepared.diagnostics)
                let verb = outcome.replaced ? "updated" : "imported"
                print(
                    "\(verb) API '\(name)' (\(prepared.imported.format), \(prepared.imported.operations.count) operations) from \(prepared.resolvedSource)"
                )
                if outcome.replaced {
                    print("  added \(outcome.added.count), updated \(outcome.updated.count), removed \(outcome.removed.count)")
                }
                print("  backend: \(prepared.baseURL ?? "(none)")")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List APIs.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open(reading: true)
                let apis = try db.apis()
                let counts = try apis.map { try db.operations(apiId: $0.id).count }
                if output.json {
                    try printJSON(zip(apis, counts).map { APISummary($0, operations: $1) })
                } else {
                    printTable(
                        ["NAME", "FORMAT", "OPERATIONS", "BACKEND", "TITLE"],
                        zip(apis, counts).map { [$0.name, $0.format, String($1), $0.baseUrl ?? "-", $0.title] })
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an API and its operations.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument var name: String

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open(reading: true)
                let api = try db.api(named: name)
                let ops = try db.operations(apiId: api.id)
                if output.json {
                    try printJSON(
                        APIDetail(
                            api: APISummary(api, operations: ops.count), operations: ops.map(OperationSummary.init),
                            warnings: ImportWarning.fromStored(api.warnings)))
                } else {
                    print("API:        \(api.name)")
                    print("Title:      \(api.title) \(api.version)")
                    print("Format:     \(api.format)")
                    print("Source:     \(api.source)")
                    print("Backend:    \(api.baseUrl ?? "(none)")\(api.baseUrlOverridden ? " (override)" : "")")
                    print("Private:    \(api.allowPrivateNetwork ? "allowed" : "refused")")
                    print("Credential: \(api.credential.map { "\($0) (sent only to \(api.credentialOrigin ?? "?"))" } ?? "-")")
                    print(
                        "Output:     output schemas \(api.outputSchemaMode ?? "tolerant")\(api.strictImport ? ", imported strictly" : "")\(api.keepLongNames ? ", long tool names kept" : "")"
                    )
                    printStoredFindings(ImportWarning.fromStored(api.warnings))
                    print("")
                    printTable(["METHOD", "PATH", "TOOL", "SUMMARY"], ops.map { [$0.method, $0.path, $0.toolName, $0.summary ?? ""] })
                }
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change an API's backend URL, private-network permission or credential.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @Option(name: .long, help: "Backend base URL ('' restores the document's).") var baseUrl: String?
        @Option(name: .long, help: "true or false.") var allowPrivateNetwork: Bool?
        @Option(name: .long, help: "A credential connection injected into every backend call ('none' detaches).") var credential: String?
        @Option(name: .long, help: "How answers are checked against output schemas: strict, tolerant or off.")
        var outputSchema: OutputSchemaMode?

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                if let outputSchema {
                    try db.setAPIOutputSchemaMode(named: name, outputSchema.rawValue)
                    print("API '\(name)': output schemas \(outputSchema.rawValue)")
                    if credential == nil, baseUrl == nil, allowPrivateNetwork == nil { return }
                }
                if let credential, baseUrl == nil, allowPrivateNetwork == nil {
                    try attachCredential(credential, db: db)
                    return
                }
                let api = try db.api(named: name)
                let documentBase = try OpenAPIImporter().importDocument(
                    Data(api.document.utf8), sourceName: api.source, sourceURL: URL(string: api.source)
                ).baseURL
                let allow = allowPrivateNetwork ?? api.allowPrivateNetwork
                var newBase: String?? = nil
                if let baseUrl { newBase = baseUrl.isEmpty ? .some(nil) : .some(baseUrl) }
                let effective = (newBase ?? api.baseUrl) ?? documentBase
                if let effective { _ = try AddressGuard().check(effective, allowPrivateNetwork: allow) }
                let updated = try db.updateAPI(named: name, baseUrl: newBase, documentBaseUrl: documentBase, allowPrivateNetwork: allowPrivateNetwork)
                print(
                    "API '\(name)': backend \(updated.baseUrl ?? "(none)"), private networks \(updated.allowPrivateNetwork ? "allowed" : "refused")")
                if let credential {
                    try attachCredential(credential, db: db)
                } else if let c = updated.credential,
                    credentialOrigin(of: updated.baseUrl ?? "") != updated.credentialOrigin
                {
                    print("warning: credential '\(c)' stays bound to \(updated.credentialOrigin ?? "?"); calls will fail until it is re-attached")
                }
            }
        }

        /// Binds the credential to the API's current backend origin (it is never sent to another host).
        func attachCredential(_ credential: String, db: GatewayStore) throws {
            if credential == "none" {
                try db.setAPICredential(named: name, connection: nil, origin: nil)
                print("API '\(name)': no credential")
                return
            }
            let api = try db.api(named: name)
            guard let base = api.baseUrl, let origin = credentialOrigin(of: base) else {
                throw GatewayError(.invalidArgument, "API '\(name)' has no backend base URL to bind the credential to; set --base-url first")
            }
            try db.setAPICredential(named: name, connection: credential, origin: origin)
            print("API '\(name)': credential '\(credential)' injected into calls to \(origin)")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an API (refused while a server uses it).")
        @OptionGroup var store: StoreOptions
        @Argument var name: String

        func run() async throws {
            try await runReportingErrors {
                try store.open().deleteAPI(named: name)
                print("deleted API '\(name)'")
            }
        }
    }
}

struct APISummary: Encodable {
    var name, title, version, format, source: String
    var baseUrl: String?
    var allowPrivateNetwork: Bool
    var credential: String?
    var operations: Int
    var outputSchema: String
    var warnings: Int
    init(_ a: APIRecord, operations: Int) {
        credential = a.credential
        outputSchema = a.outputSchemaMode ?? "tolerant"
        warnings = ImportWarning.fromStored(a.warnings).filter { $0.kind == .defect }.count
        name = a.name
        title = a.title
        version = a.version
        format = a.format
        source = a.source
        baseUrl = a.baseUrl
        allowPrivateNetwork = a.allowPrivateNetwork
        self.operations = operations
    }
}

struct OperationSummary: Encodable {
    var key, method, path, toolName: String
    var operationId, summary: String?
    init(_ o: OperationRecord) {
        key = o.key
        method = o.method
        path = o.path
        toolName = o.toolName
        operationId = o.operationId
        summary = o.summary
    }
}

struct APIDetail: Encodable {
    var api: APISummary
    var operations: [OperationSummary]
    /// What the import found (defects and notes), with locations in the imported file.
    var warnings: [ImportWarning]
}
