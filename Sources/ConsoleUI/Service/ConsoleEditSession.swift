import Foundation
import GatewayEngine
import Store

/// Edits one entity as YAML in the `gatehouse apply` format, or a scope's policy document: writes it to a temporary
/// file, lets an editor change it, then parses, validates and applies it. On an error the file is reopened with the
/// error as a `# error: …` comment at the top and the user's text kept, so nothing is lost. An unchanged file is a
/// no-op.
public struct ConsoleEditSession: Sendable {
    let store: GatewayStore
    let directory: String
    let reload: @Sendable () -> Void
    /// How many times the editor is reopened after errors before the text is left in its file.
    public var maxAttempts = 20

    /// - Parameters:
    ///   - directory: where the temporary file is written.
    ///   - reload: makes the engine pick up a change at once.
    public init(store: GatewayStore, directory: String = NSTemporaryDirectory(), reload: @escaping @Sendable () -> Void = {}) {
        self.store = store
        self.directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        self.reload = reload
    }

    static let errorPrefix = "# error: "

    /// The entity's YAML, with a comment header explaining what to do.
    public func document(for target: EditTarget) throws -> String {
        let full = try ConfigApplier(store: store).export()
        var doc = ConfigDocument()
        let what: String
        switch target {
        case .policy(let scope):
            return try policyDocument(scope: scope)
        case .api(let name):
            guard let api = full.apis?.first(where: { $0.name == name }) else { throw StoreError(.notFound, "no API named '\(name)'") }
            doc.apis = [api]
            what = "API '\(name)'"
        case .server(let name):
            guard let server = full.servers?.first(where: { $0.name == name }) else { throw StoreError(.notFound, "no server named '\(name)'") }
            doc.servers = [server]
            what = "server '\(name)'"
        case .tool(let serverName, let toolName):
            guard var server = full.servers?.first(where: { $0.name == serverName }) else {
                throw StoreError(.notFound, "no server named '\(serverName)'")
            }
            let record = try store.server(named: serverName)
            guard let tool = try store.tools(serverId: record.id).first(where: { $0.tool.name == toolName }) else {
                throw StoreError(.notFound, "server '\(serverName)' has no tool '\(toolName)'")
            }
            server.tools = [
                .init(
                    operation: tool.operation.operationId ?? tool.operation.key, name: tool.tool.name, description: tool.tool.descriptionOverride,
                    enabled: tool.tool.enabled)
            ]
            doc.servers = [server]
            what = "tool '\(toolName)' of server '\(serverName)'"
        }
        let header = """
            # Gatehouse: edit \(what), then save and quit to apply (the `gatehouse apply` format).
            # Quit without saving to leave it unchanged.

            """
        return header + (try ConfigApplier.render(doc))
    }

    /// Parses, validates and applies edited text. A renamed server (the only server, under a new name, while the
    /// old one is gone from the text) is renamed in place first.
    /// - Returns: a one-line summary.
    public func apply(_ text: String, target: EditTarget) async throws -> String {
        if case .policy(let scope) = target { return try applyPolicy(text, scope: scope) }
        let doc = try ConfigApplier.parse(text, file: "edit")
        if case .server(let old) = target, let servers = doc.servers, servers.count == 1, servers[0].name != old,
            (try? store.server(named: servers[0].name)) == nil
        {
            _ = try store.updateServer(named: old, newName: servers[0].name)
        }
        let summary = try await ConfigApplier(store: store).apply(doc, baseDirectory: FileManager.default.currentDirectoryPath, file: "edit")
        reload()
        var parts: [String] = []
        if !summary.apis.isEmpty { parts.append("API \(summary.apis.map { "'\($0)'" }.joined(separator: ", "))") }
        if !summary.servers.isEmpty { parts.append("server \(summary.servers.map { "'\($0)'" }.joined(separator: ", "))") }
        let warning = summary.warnings.first.map { " (warning: \($0))" } ?? ""
        return "applied " + (parts.isEmpty ? "nothing" : parts.joined(separator: " and ")) + warning
    }

    /// Runs the whole edit: write, edit, apply, reopen on errors.
    /// - Parameter edit: opens an editor on the file at the path and returns when it exits.
    public func run(
        _ target: EditTarget, isolation: isolated (any Actor)? = #isolation, edit: (String) async throws -> Void
    ) async -> EffectOutcome {
        let original: String
        do {
            original = try document(for: target)
        } catch {
            return EffectOutcome(succeeded: false, message: ConsoleEffectExecutor.describe(error))
        }
        let path = directory + "/gatehouse-edit-\(UUID().uuidString.prefix(8)).yaml"
        var shown = original
        do {
            try write(original, to: path)
        } catch {
            return EffectOutcome(succeeded: false, message: "cannot write \(path): \(error)")
        }
        for _ in 0..<maxAttempts {
            do {
                try await edit(path)
            } catch {
                return EffectOutcome(succeeded: false, message: "\(ConsoleEffectExecutor.describe(error)); your text is kept in \(path)")
            }
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? shown
            let body = Self.strippingErrors(text)
            if body == original {
                try? FileManager.default.removeItem(atPath: path)
                return EffectOutcome(succeeded: true, message: "no changes")
            }
            if text == shown {
                return EffectOutcome(succeeded: false, message: "edit abandoned after an error; your text is kept in \(path)")
            }
            do {
                let message = try await apply(body, target: target)
                try? FileManager.default.removeItem(atPath: path)
                return EffectOutcome(succeeded: true, message: message)
            } catch {
                let line = ConsoleEffectExecutor.describe(error).replacingOccurrences(of: "\n", with: " ")
                shown = Self.errorPrefix + line + "\n" + body
                try? write(shown, to: path)
            }
        }
        return EffectOutcome(succeeded: false, message: "too many failed attempts; your text is kept in \(path)")
    }

    /// The text without the leading `# error:` lines the session added.
    static func strippingErrors(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        while let first = lines.first, first.hasPrefix(errorPrefix) { lines.removeFirst() }
        return lines.joined(separator: "\n")
    }

    func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
    }
}
