import Foundation
import GatewayEngine
import Store

/// Executes the console's mutating effects through the engine's admin services and the store, and describes each
/// outcome in one line for the flash. `.quit`, `.refresh` and `.edit` belong to the driver and are not handled here.
public struct ConsoleEffectExecutor: Sendable {
    let store: GatewayStore
    let readOnly: Bool
    let demo: DemoLoader?
    let reload: @Sendable () -> Void
    let report: @Sendable (EngineEvent.Level, String) -> Void
    let baseDirectory: String
    /// Where the master key is read from (`GATEHOUSE_MASTER_KEY`, else the key file beside the database).
    let environment: [String: String]

    /// - Parameters:
    ///   - readOnly: refuse every mutation (the reducer already hides them; this is the second line of defence).
    ///   - demo: loads the demo; without it `.loadDemo` fails with a message.
    ///   - reload: makes the engine pick up a change at once (for instance `Gateway.reloadIfChanged`).
    ///   - report: records what happened in the engine's log pane (for instance `RequestMonitor.event`).
    ///   - baseDirectory: what relative import paths are resolved against. Default: the working directory.
    ///   - environment: where the master key is read from (credential actions). Default: the process's.
    public init(
        store: GatewayStore, readOnly: Bool, demo: DemoLoader? = nil, reload: @escaping @Sendable () -> Void = {},
        report: @escaping @Sendable (EngineEvent.Level, String) -> Void = { _, _ in },
        baseDirectory: String = FileManager.default.currentDirectoryPath,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.store = store
        self.readOnly = readOnly
        self.demo = demo
        self.reload = reload
        self.report = report
        self.baseDirectory = baseDirectory
        self.environment = environment
    }

    /// Whether an effect changes configuration.
    public static func isMutating(_ effect: ConsoleEffect) -> Bool {
        switch effect {
        case .quit, .refresh, .copy: false
        default: true
        }
    }

    /// Runs one effect; nil for the effects the driver handles itself.
    public func execute(_ effect: ConsoleEffect) async -> EffectOutcome? {
        switch effect {
        case .quit, .refresh, .edit, .copy: return nil
        case .screenTask(let task) where task.readsOnly:
            do {
                return EffectOutcome(succeeded: true, message: try await task.work(self).message)
            } catch {
                return EffectOutcome(succeeded: false, message: Self.describe(error))
            }
        default: break
        }
        if readOnly { return EffectOutcome(succeeded: false, message: "read-only: changes are disabled (started with --read-only)") }
        do {
            let outcome = try await outcome(of: effect)
            reload()
            report(.info, "console: \(outcome.message)")
            return outcome
        } catch {
            let message = Self.describe(error)
            report(.warning, "console: \(message)")
            return EffectOutcome(succeeded: false, message: message)
        }
    }

    /// A successful effect's outcome (an authorization URL travels beside the message, never in it).
    func outcome(of effect: ConsoleEffect) async throws -> EffectOutcome {
        if case .authorizeConnection(let name, let redirectURI) = effect { return try authorize(name, redirectURI: redirectURI) }
        if case .screenTask(let task) = effect {
            let result = try await task.work(self)
            return EffectOutcome(succeeded: true, message: result.message, shownOnce: result.shownOnce)
        }
        return EffectOutcome(succeeded: true, message: try await perform(effect))
    }

    func perform(_ effect: ConsoleEffect) async throws -> String {
        switch effect {
        case .importAPI(let name, let source, let baseURL, let allowPrivateNetwork):
            let importer = APIImportService(store: store)
            let base = baseURL.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
            let prepared = try await importer.prepare(
                .init(name: name, source: source, baseDirectory: baseDirectory, baseURL: base, allowPrivateNetwork: allowPrivateNetwork))
            let outcome = try importer.save(prepared)
            let verb = outcome.replaced ? "updated" : "imported"
            let warnings =
                prepared.warnings.isEmpty
                ? "" : " (warning: \(prepared.warnings[0])\(prepared.warnings.count > 1 ? " +\(prepared.warnings.count - 1) more" : ""))"
            return "\(verb) API '\(name)': \(prepared.imported.operations.count) operations\(warnings)"
        case .deleteAPI(let name):
            try store.deleteAPI(named: name)
            return "deleted API '\(name)'"
        case .createServer(let name, let api, let operations, let basePath, let description):
            let path = basePath.trimmingCharacters(in: .whitespaces).isEmpty ? name : basePath
            let server = try store.createServer(name: name, description: description, basePath: path, apiName: api, operations: operations)
            let tools = try store.tools(serverId: server.id).count
            return "created server '\(name)' with \(tools) tools at /\(server.basePath)/mcp"
        case .updateServer(let name, let newName, let description, let basePath, let enabled):
            let server = try store.updateServer(named: name, newName: newName, description: description, basePath: basePath, enabled: enabled)
            if let enabled, newName == nil, description == nil, basePath == nil {
                return "\(enabled ? "enabled" : "disabled") server '\(server.name)'"
            }
            return "updated server '\(server.name)'"
        case .deleteServer(let name):
            try store.deleteServer(named: name)
            return "deleted server '\(name)'"
        case .updateTool(let server, let tool, let newName, let description, let enabled):
            let updated = try store.updateTool(server: server, tool: tool, newName: newName, description: description, enabled: enabled)
            if let enabled, newName == nil, description == nil {
                return "\(enabled ? "enabled" : "disabled") tool '\(updated.name)'"
            }
            return "updated tool '\(updated.name)' of server '\(server)'"
        case .loadDemo:
            guard let demo else {
                throw GatewayError(
                    .invalidArgument,
                    "the demo is served by the console that embeds the engine; this console is attached to a running engine and never starts one (load it there, or import an API with i)"
                )
            }
            return try await demo.load()
        case .setServerRequiresSubscription, .deletePolicy, .setSubscriptionActive, .deleteSubscription:
            return try performGovernance(effect)
        case .authorizeConnection, .deleteCredentialConnection, .deleteCredentialProvider:
            return try performCredential(effect)
        case .approveUpstreamTools, .discoverUpstream:
            return try await performUpstream(effect)
        case .screenTask(let task):
            return try await task.work(self).message
        case .quit, .refresh, .edit, .copy:
            return ""
        }
    }

    /// One line for the flash.
    static func describe(_ error: any Error) -> String {
        (error as? any GatehouseError)?.formatted ?? "\(error)"
    }
}
