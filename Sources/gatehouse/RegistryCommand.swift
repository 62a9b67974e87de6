import ArgumentParser
import Foundation
import GatewayEngine
import Logging
import Store

struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "The registry of MCP servers: gateway servers (listed automatically) and servers hosted elsewhere.",
        discussion: """
            The gateway serves it as the MCP Registry API (GET /v0.1/servers, /v0/servers) and as an MCP server at \
            /registry/mcp. Gateway servers appear with a generated server.json; external ones are registered here, from \
            flags or a server.json, or imported from another registry's list.
            """,
        subcommands: [
            List.self, Show.self, Add.self, Set.self, Deprecate.self, Remove.self, Import.self, Approve.self, Probe.self, Access.self,
        ])

    static func admin(_ db: GatewayStore) -> RegistryAdmin {
        RegistryAdmin(store: db, logger: Logger(label: "gatehouse.registry", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    static func lifecycle(_ text: String?) throws -> RegistryEntryRecord.Lifecycle? {
        guard let text else { return nil }
        guard let l = RegistryEntryRecord.Lifecycle(rawValue: text) else {
            throw ValidationError("--lifecycle must be one of \(RegistryEntryRecord.Lifecycle.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return l
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every entry: kind, lifecycle, approval, health, last check, tools, latency.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Flag(name: .long, help: "Include deleted entries (tombstones kept for clients that sync).") var all = false
        @Option(name: .long, help: "The origin gateway URLs are shown at (default http://127.0.0.1:8080).") var publicUrl: String?

        func run() async throws {
            try await runReportingErrors {
                let listing = try RegistryCommand.admin(try store.open(reading: true)).listing(origin: publicUrl ?? "http://127.0.0.1:8080")
                let rows = listing.rows.filter { all || $0.status != .deleted }
                if output.json {
                    print(RegistryListing.pretty(.array(rows.map { $0.json() })))
                    return
                }
                printTable(
                    ["NAME", "VERSION", "KIND", "LIFECYCLE", "APPROVAL", "HEALTH", "CHECKED", "TOOLS", "LATENCY", "URL"],
                    rows.map { r in
                        [
                            r.name + (r.isLatest || r.awaitsApproval ? "" : " (older)"), r.version, r.kind.rawValue,
                            r.status == .deleted ? "deleted" : r.lifecycle.rawValue, r.approval, r.health.rawValue, RegistryOutput.ago(r.checkedAt),
                            r.toolCount.map(String.init) ?? "-", r.latencyMs.map { String(format: "%.0f ms", $0) } ?? "-",
                            r.url ?? (r.packages.first.map { "package \($0)" } ?? "-"),
                        ]
                    })
                for p in listing.problems { FileHandle.standardError.write(Data("warning: \(p)\n".utf8)) }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an entry: its server.json as clients get it, health and its history, and (gateway servers) the last hour's traffic.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The registry name (io.example.gw/pets), or a gateway server's name.") var name: String
        @Option(name: .long, help: "A version (default: the latest).") var version: String?
        @Option(name: .long, help: "The origin gateway URLs are shown at (default http://127.0.0.1:8080).") var publicUrl: String?

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open(reading: true)
                let admin = RegistryCommand.admin(db)
                let listing = try admin.listing(origin: publicUrl ?? "http://127.0.0.1:8080")
                let matches = listing.rows.filter { $0.name == name || $0.server == name }
                guard let row = version.map({ v in matches.first { $0.version == v } }) ?? matches.first(where: \.isLatest) ?? matches.last else {
                    throw GatewayError(.notFound, "no registry entry '\(name)'\(version.map { " version \($0)" } ?? "")")
                }
                var full = row
                full.history = try admin.history(of: row)
                if output.json {
                    print(RegistryListing.pretty(full.json(document: true)))
                } else {
                    RegistryOutput.show(full)
                }
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve imported entries (new ones, and imported changes of listed ones).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The entry to approve.") var name: String?
        @Flag(name: .long, help: "Approve every pending entry.") var all = false

        func validate() throws {
            if (name == nil) == !all { throw ValidationError("give a NAME or --all") }
        }

        func run() async throws {
            try await runReportingErrors {
                let approved = try store.open().approveRegistryEntries(name: all ? nil : name)
                if approved.isEmpty {
                    print("nothing waits for approval\(name.map { " for '\($0)'" } ?? "")")
                } else {
                    print("approved \(approved.count) \(approved.count == 1 ? "entry" : "entries"): \(approved.joined(separator: ", "))")
                }
            }
        }
    }

    struct Probe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Probe now (MCP initialize and tools/list): every external entry and HTTP upstream, or one; the results are recorded.",
            discussion: "A running engine also probes on its own: at start, when an entry changes, and every 5 minutes (jittered).")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "An external entry's name or an upstream's name (default: all).") var name: String?
        @Option(name: .long, help: "Seconds each step of the probe may take (default 10).") var timeout: Double = 10

        func run() async throws {
            try await runReportingErrors {
                let outcomes = try await RegistryCommand.admin(try store.open()).probe(name, timeout: .milliseconds(Int64(timeout * 1000)))
                if output.json {
                    print(
                        RegistryListing.pretty(
                            .array(
                                outcomes.map { o in
                                    var j: JSONObject = ["target": .string(o.target), "state": .string(o.state.rawValue)]
                                    if let d = o.detail { j["detail"] = .string(d) }
                                    if let l = o.latencyMs { j["latencyMs"] = .double((l * 10).rounded() / 10) }
                                    if let n = o.toolCount { j["toolCount"] = .int(Int64(n)) }
                                    if let c = o.change { j["change"] = .string(c) }
                                    return .object(j)
                                })))
                    return
                }
                if outcomes.isEmpty { print("nothing to probe: no external entry with an http(s) remote, and no HTTP upstream") }
                printTable(
                    ["TARGET", "HEALTH", "LATENCY", "TOOLS", "CHANGE", "DETAIL"],
                    outcomes.map { o in
                        [
                            o.target, o.state.rawValue, o.latencyMs.map { String(format: "%.0f ms", $0) } ?? "-", o.toolCount.map(String.init) ?? "-",
                            o.change ?? "-", RegistryOutput.clean(o.detail ?? ""),
                        ]
                    })
            }
        }
    }

    struct Access: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Who may read the registry: anonymous reading (auto: only on a loopback bind) and whether a subscription key is required.",
            discussion:
                "Policies for the registry go in the `registry` scope: gatehouse policy set --scope registry -f FILE (validate-jwt, ip-filter…).")
        @OptionGroup var store: StoreOptions
        @Option(name: .long, help: "on, off or auto (anonymous reading only on a loopback bind).") var anonymousRead: String?
        @Option(name: .long, help: "on or off.") var requireSubscription: String?

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                var anonymous: Bool??
                switch anonymousRead {
                case nil: anonymous = nil
                case "on"?: anonymous = .some(true)
                case "off"?: anonymous = .some(false)
                case "auto"?: anonymous = .some(nil)
                default: throw ValidationError("--anonymous-read must be on, off or auto")
                }
                var subscription: Bool?
                switch requireSubscription {
                case nil: subscription = nil
                case "on"?: subscription = true
                case "off"?: subscription = false
                default: throw ValidationError("--require-subscription must be on or off")
                }
                let change = (anonymous, subscription)
                let s = try db.setRegistrySettings { r in
                    if let a = change.0 { r.anonymousRead = a }
                    if let b = change.1 { r.requireSubscription = b }
                }
                let read = s.anonymousRead.map { $0 ? "on" : "off" } ?? "auto (only on a loopback bind)"
                print("anonymous reading: \(read)")
                print("subscription key required: \(s.requireSubscription ? "yes" : "no")")
            }
        }
    }
}
