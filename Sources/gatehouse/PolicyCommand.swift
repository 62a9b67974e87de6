import ArgumentParser
import Foundation
import GatewayEngine
import Store

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Manage policy documents (global, server:<name>, tool:<server>/<tool>).",
        subcommands: [List.self, Show.self, Set.self, Delete.self, Effective.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the scopes that have a policy document.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runReportingErrors {
                let records = try store.open(reading: true).policies()
                let rows = records.map { r -> [String] in
                    let doc = try? PolicyDocument.parse(yaml: r.document, source: r.scope)
                    let names = doc.map { ($0.inboundKinds + $0.outboundKinds).joined(separator: ", ") } ?? "INVALID"
                    return [r.scope, String(doc?.inboundKinds.count ?? 0), String(doc?.outboundKinds.count ?? 0), names]
                }
                if output.json {
                    try printJSON(records.map { ["scope": $0.scope, "document": $0.document] })
                } else {
                    printTable(["SCOPE", "INBOUND", "OUTBOUND", "POLICIES"], rows)
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print one scope's document.")
        @OptionGroup var store: StoreOptions
        @Option(name: .long, help: "global, server:<name>, tool:<server>/<tool> or registry.") var scope: String

        func run() async throws {
            try await runReportingErrors {
                _ = try PolicyScope(parsing: scope)
                guard let r = try store.open(reading: true).policy(scope: scope) else {
                    throw GatewayError(.notFound, "no policy for scope '\(scope)'")
                }
                print(r.document, terminator: r.document.hasSuffix("\n") ? "" : "\n")
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set one scope's document (inbound:/outbound:) from a file or stdin.")
        @OptionGroup var store: StoreOptions
        @Option(name: .long, help: "global, server:<name>, tool:<server>/<tool> or registry.") var scope: String
        @Option(name: .shortAndLong, help: "The YAML document ('-' for stdin).") var file: String

        func run() async throws {
            try await runReportingErrors {
                let parsed = try PolicyScope(parsing: scope)
                let text: String
                if file == "-" {
                    text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                } else {
                    guard let data = FileManager.default.contents(atPath: file) else { throw GatewayError(.notFound, "cannot read \(file)") }
                    text = String(decoding: data, as: UTF8.self)
                }
                let doc = try PolicyDocument.parse(yaml: text, source: file == "-" ? "stdin" : file)
                let db = try store.open()
                try PolicyCommand.checkTarget(parsed, db: db)
                try db.setPolicy(scope: parsed.description, document: text)
                print("set policy for \(parsed): \(doc.inboundKinds.count) inbound, \(doc.outboundKinds.count) outbound")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete one scope's document.")
        @OptionGroup var store: StoreOptions
        @Option(name: .long) var scope: String

        func run() async throws {
            try await runReportingErrors {
                try store.open().deletePolicy(scope: try PolicyScope(parsing: scope).description)
                print("deleted policy for \(scope)")
            }
        }
    }

    struct Effective: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the policies that apply to a server or one of its tools, in the order they run.")
        @OptionGroup var store: StoreOptions
        @Option(name: .long) var server: String
        @Option(name: .long, help: "A tool of the server (omit for initialize, tools/list and ping).") var tool: String?

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                _ = try db.server(named: server)
                let inspector = PolicyInspector(try db.policies())
                for (scope, problem) in inspector.problems { print("warning: \(scope): \(problem)") }
                let steps = inspector.steps(server: server, tool: tool)
                if steps.isEmpty { print("no policies apply") }
                printTable(["SECTION", "SCOPE", "POLICY"], steps.map { [$0.section, $0.scope, $0.policy] })
            }
        }
    }

    /// Refuses documents for servers or tools that do not exist (a typo would otherwise protect nothing).
    static func checkTarget(_ scope: PolicyScope, db: GatewayStore) throws {
        switch scope {
        case .global, .registry: return
        case .server(let s): _ = try db.server(named: s)
        case .tool(let s, let t):
            let server = try db.server(named: s)
            guard try db.tools(serverId: server.id).contains(where: { $0.tool.name == t }) else {
                throw GatewayError(.notFound, "server '\(s)' has no tool '\(t)'")
            }
        }
    }
}
