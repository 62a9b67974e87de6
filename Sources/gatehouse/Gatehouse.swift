import ArgumentParser
import Foundation
import GatewayEngine
import Logging
import Store

@main
struct Gatehouse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatehouse",
        abstract: "An MCP gateway: REST APIs and MCP servers behind one governed endpoint.",
        version: GatehouseVersion.current,
        subcommands: [
            Console.self, Serve.self, APICommand.self, UpstreamCommand.self, ServerCommand.self, PolicyCommand.self, SubscriptionCommand.self,
            CredentialCommand.self, RegistryCommand.self, LogsCommand.self, Apply.self, Export.self,
        ],
        defaultSubcommand: Console.self)

    /// Runs with `--attach` given no value (at the end, or before another option) read as `--attach auto`, which
    /// argument parsing alone cannot express.
    static func main() async {
        await main(attachDefaulted(Array(CommandLine.arguments.dropFirst())))
    }

    static func attachDefaulted(_ arguments: [String]) -> [String] {
        var out: [String] = []
        for (i, arg) in arguments.enumerated() {
            out.append(arg)
            if arg == "--attach", i + 1 == arguments.count || arguments[i + 1].hasPrefix("-") { out.append("auto") }
        }
        return out
    }
}

/// Options every command that touches the database takes.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "SQLite database (default: $GATEHOUSE_DB, else ~/.local/share/gatehouse/gatehouse.sqlite).")
    var db: String?

    var path: String { db ?? StoreConfiguration.defaultPath() }

    /// Opens the store; `check: false` skips the whole-file integrity check (for commands that only read the log).
    /// `reading: true` (list, show, export, logs) opens a database the user cannot write — a read-only file or file
    /// system, a backup — read-only instead of failing; a writable one is opened as usual (migrated when new).
    func open(check: Bool = true, reading: Bool = false) throws -> GatewayStore {
        var configuration = StoreConfiguration(path: path)
        configuration.checkOnOpen = check
        if reading, FileManager.default.fileExists(atPath: path),
            access(path, W_OK) != 0 || access((path as NSString).deletingLastPathComponent, W_OK) != 0
        {
            configuration.readOnly = true
        }
        return try GatewayStore(configuration: configuration, logger: Logger(label: "gatehouse.store", factory: { _ in SwiftLogNoOpLogHandler() }))
    }
}

/// Output format options.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON for scripts.")
    var json = false
}

/// Turns every Gatehouse error (engine, store, credentials, upstreams, terminal) into one clear line on stderr —
/// `error: [where: ]message` — and a non-zero exit. The one error printer of the CLI.
func runReportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as any GatehouseError {
        FileHandle.standardError.write(Data("error: \(error.formatted)\n".utf8))
        throw ExitCode(1)
    }
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Prints rows as an aligned table.
func printTable(_ header: [String], _ rows: [[String]]) {
    var widths = header.map(\.count)
    for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(
            separator: "  ")
    }
    print(line(header))
    rows.forEach { print(line($0)) }
}
