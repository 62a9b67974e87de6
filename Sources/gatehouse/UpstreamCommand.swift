import ArgumentParser
import ConsoleUI
import Foundation
import GatewayEngine
import Logging
import Store

struct UpstreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upstream", abstract: "Manage upstream MCP servers (Streamable HTTP, SSE or stdio) whose tools the gateway relays.",
        subcommands: [Add.self, List.self, Show.self, Test.self, Approve.self, Set.self, Delete.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register an upstream MCP server: --url (Streamable HTTP or SSE) or --command (a stdio child process).",
            discussion: """
                HTTP:  gatehouse upstream add NAME --url URL [--transport streamable|sse] [--header 'Name: value']... \
                [--allow-private-network] [--credential CONN] [--timeout S] [--max-timeout S]
                stdio: gatehouse upstream add NAME --command PROGRAM [--arg A]... [--env K=V]... [--cwd DIR] [--timeout S] [--max-timeout S]
                The stdio command is an argument vector (PROGRAM, then each --arg), never passed through a shell. \
                Static headers are stored in clear, so secrets are refused there: attach a credential connection instead.
                """)
        @OptionGroup var store: StoreOptions
        @Argument(help: "A name for the upstream.") var name: String
        @Option(name: .long, help: "The upstream's endpoint (HTTP): its /mcp URL, or its SSE URL with --transport sse.") var url: String?
        @Option(name: .long, help: "streamable (default) or sse (HTTP).") var transport: String?
        @Option(name: .long, help: "A static request header 'Name: value' (HTTP; repeatable; never a secret).") var header: [String] = []
        @Flag(name: .long, help: "Allow the upstream on loopback or a private network (HTTP).") var allowPrivateNetwork = false
        @Option(name: .long, help: "A credential connection injected into every request, bound to the URL's origin (HTTP).") var credential: String?
        @Option(name: .long, help: "The program to run (stdio): a path, or a name found on PATH.") var command: String?
        @Option(name: .long, parsing: .unconditionalSingleValue, help: "An argument of the program (stdio; repeatable, in order).") var arg:
            [String] = []
        @Option(name: .long, help: "K=V: an environment variable of the child; K alone copies it from this environment (stdio; repeatable).")
        var env: [String] = []
        @Option(name: .long, help: "The child's working directory (stdio).") var cwd: String?
        @Option(name: .long, help: "Seconds a call may stay silent; progress resets it (default: the engine's, 60).") var timeout: Double?
        @Option(name: .long, help: "Seconds a call may take at most, progress or not (default: the engine's, 300).") var maxTimeout: Double?

        func validate() throws {
            switch (url, command) {
            case (nil, nil): throw ValidationError("give --url (Streamable HTTP or SSE) or --command (stdio)")
            case (.some, .some): throw ValidationError("give either --url or --command, not both")
            case (.some, nil):
                if !arg.isEmpty || !env.isEmpty || cwd != nil { throw ValidationError("--arg, --env and --cwd apply to stdio upstreams (--command)") }
            case (nil, .some):
                if !header.isEmpty || credential != nil || transport != nil || allowPrivateNetwork {
                    throw ValidationError("--header, --credential, --transport and --allow-private-network apply to HTTP upstreams (--url)")
                }
            }
            if let p = UpstreamRules.timeoutProblem(timeout: timeout, maxTimeout: maxTimeout) {
                throw ValidationError("--\(p.field == "maxTimeout" ? "max-timeout" : "timeout") \(p.message)")
            }
        }

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                if (try? db.upstream(named: name)) != nil {
                    throw GatewayError(.conflict, "an upstream named '\(name)' already exists; change it with `gatehouse upstream set \(name)`")
                }
                let record: UpstreamRecord.New
                if let url {
                    let kind = try UpstreamCommand.httpTransport(transport ?? "streamable")
                    if let p = UpstreamRules.urlProblem(url) { throw GatewayError(.invalidURL, "--url: \(p)") }
                    let headers = try UpstreamCommand.parseHeaders(header)
                    var origin: String?
                    if let credential {
                        _ = try db.credentialConnection(named: credential)
                        origin = credentialOrigin(of: url)
                    }
                    try await UpstreamCommand.admin(db).checkAddress(url: url, allowPrivateNetwork: allowPrivateNetwork)
                    record = UpstreamRecord.New(
                        name: name, transport: kind, url: url, headers: headers.compactMapValues { $0 }, allowPrivateNetwork: allowPrivateNetwork,
                        credential: credential, credentialOrigin: origin, timeoutSeconds: timeout, maxTimeoutSeconds: maxTimeout)
                } else {
                    let dir = try cwd.map(UpstreamCommand.resolveDirectory)
                    let program = try UpstreamCommand.resolveProgram(command!, cwd: dir)
                    record = UpstreamRecord.New(
                        name: name, transport: .stdio, argv: [program] + arg, environment: try UpstreamCommand.parseEnvironment(env),
                        workingDirectory: dir,
                        timeoutSeconds: timeout, maxTimeoutSeconds: maxTimeout)
                }
                let added = try db.addUpstream(record)
                print("added upstream '\(name)' (\(added.transport.rawValue)): \(UpstreamCommand.location(added))")
                if let c = added.credential { print("  credential '\(c)' sent only to \(added.credentialOrigin ?? "?")") }
                print("next: gatehouse upstream test \(name)   (connects and records its tools)")
                print("      gatehouse server create SERVER --upstream \(name)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List upstreams and how many of their tools are approved or waiting for approval.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open(reading: true)
                let rows = try db.upstreams().map { u in (u, try db.upstreamTools(upstream: u.name)) }
                if output.json {
                    try printJSON(rows.map { UpstreamSummary($0.0, tools: $0.1) })
                } else {
                    printTable(
                        ["NAME", "TRANSPORT", "LOCATION", "TOOLS"],
                        rows.map { u, tools in
                            let counts = ToolCounts(tools)
                            let text = tools.isEmpty ? "not discovered yet" : "\(counts.approved) approved, \(counts.pending) pending"
                            return [u.name, u.transport.rawValue, SafeText.escape(UpstreamCommand.location(u)), text]
                        })
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an upstream's settings (environment values masked) and its recorded tools; changed tools show what changed.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument var name: String

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open(reading: true)
                let u = try db.upstream(named: name)
                let tools = try db.upstreamTools(upstream: name)
                let users = try db.servers().filter { s in try db.serverUpstreams(server: s.name).contains { $0.upstreamName == name } }.map(\.name)
                if output.json {
                    try printJSON(
                        UpstreamDetail(upstream: UpstreamSummary(u, tools: tools), servers: users, tools: tools.map(UpstreamToolSummary.init)))
                    return
                }
                let defaults = UpstreamConfiguration()
                func seconds(_ value: Double?, _ fallback: Duration) -> String {
                    value.map { "\(UpstreamCommand.number($0)) s" } ?? "engine default (\(fallback.components.seconds) s)"
                }
                print("Upstream:    \(u.name)")
                print("Transport:   \(u.transport.rawValue)")
                if u.transport == .stdio {
                    print("Command:     \(SafeText.escape(UpstreamCommand.displayArgv(u.argv)))")
                    print("Directory:   \(u.workingDirectory.map { SafeText.escape($0) } ?? "-")")
                    let env = u.env.keys.sorted()
                    print(
                        "Environment: \(env.isEmpty ? "-" : env.map { "\(SafeText.escape($0))=\(UpstreamCommand.shown(u.env[$0] ?? ""))" }.joined(separator: " "))"
                    )
                } else {
                    print("URL:         \(SafeText.escape(u.url ?? "?"))")
                    print("Private:     \(u.allowPrivateNetwork ? "allowed" : "refused")")
                    let headers = u.headerFields.sorted { $0.key < $1.key }
                    print(
                        "Headers:     \(headers.isEmpty ? "-" : headers.map { "\($0.key): \(SafeText.escape($0.value))" }.joined(separator: "\n             "))"
                    )
                    print("Credential:  \(u.credential.map { "\($0) (sent only to \(u.credentialOrigin ?? "?"))" } ?? "-")")
                }
                print("Timeout:     \(seconds(u.timeoutSeconds, defaults.timeout)), at most \(seconds(u.maxTimeoutSeconds, defaults.maxTimeout))")
                print("Servers:     \(users.isEmpty ? "-" : users.joined(separator: ", "))")
                let counts = ToolCounts(tools)
                print(
                    "Tools:       \(tools.isEmpty ? "not discovered yet (gatehouse upstream test \(name))" : "\(counts.approved) approved, \(counts.pending) pending, \(counts.removed) removed")"
                )
                guard !tools.isEmpty else { return }
                print("")
                printTable(
                    ["TOOL", "STATUS", "FLAGS", "DESCRIPTION"],
                    tools.map { t in
                        let s = UpstreamToolSummary(t)
                        return [
                            SafeText.escape(t.name), t.status.rawValue, s.flags.isEmpty ? "-" : s.flags.joined(separator: "; "),
                            UpstreamCommand.clip(SafeText.escape(s.description ?? ""), 60),
                        ]
                    })
                let pending = tools.filter { $0.status == .pending }
                for t in pending {
                    let s = UpstreamToolSummary(t)
                    print("")
                    guard let fields = s.changedFields else {
                        print("\(SafeText.escape(t.name)): never approved: its text was flagged when first seen (\(s.flags.joined(separator: "; ")))")
                        continue
                    }
                    print("\(SafeText.escape(t.name)): changed \(fields.joined(separator: ", ")) since approval")
                    if let before = s.approvedDescription, before != s.description {
                        print("  description before: \(UpstreamCommand.clip(SafeText.escape(before), 200))")
                        print("  description after:  \(UpstreamCommand.clip(SafeText.escape(s.description ?? ""), 200))")
                    }
                }
                if !pending.isEmpty {
                    print("")
                    print("held back until approved: gatehouse upstream approve \(name) --tool TOOL (or --all)")
                }
            }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect to an upstream now: print who it is and what it offers, and record its tools (changed ones are held back).")
        @OptionGroup var store: StoreOptions
        @Argument var name: String

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                _ = try db.upstream(named: name)
                let report = try await UpstreamCommand.admin(db).discover(name)
                let server = [report.serverName, report.serverVersion].compactMap { $0 }.map { SafeText.escape($0) }.joined(separator: " ")
                print("upstream '\(name)': \(server.isEmpty ? "(no serverInfo)" : server)")
                print("protocol:     \(SafeText.escape(report.protocolVersion))")
                print("capabilities: \(report.capabilities.isEmpty ? "-" : report.capabilities.map { SafeText.escape($0) }.joined(separator: ", "))")
                let counts = ToolCounts(report.tools)
                print("tools:        \(counts.approved) approved, \(counts.pending) pending, \(counts.removed) removed")
                if !report.tools.isEmpty {
                    print("")
                    printTable(
                        ["TOOL", "STATUS", "FLAGS"],
                        report.tools.map { t in [SafeText.escape(t.name), t.status.rawValue, UpstreamToolSummary(t).flags.joined(separator: "; ")] })
                }
                print("")
                if report.changes.isEmpty {
                    print("no changes since the last discovery")
                } else {
                    print("changes:")
                    for c in report.changes { print("  \(SafeText.escape(c.tool)): \(c.kind.rawValue)") }
                }
                if counts.pending > 0 {
                    print("held back until approved: gatehouse upstream show \(name), then gatehouse upstream approve \(name) --tool TOOL (or --all)")
                }
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve the current definition of tools held back after a change.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @Option(name: .long, help: "A tool to approve (repeatable, or comma-separated).") var tool: [String] = []
        @Flag(name: .long, help: "Approve every tool waiting for approval.") var all = false

        func validate() throws {
            if tool.isEmpty == !all { throw ValidationError("give --tool TOOL (one or more) or --all") }
        }

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                let names = tool.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
                let approved = try db.approveUpstreamTools(upstream: name, tools: all ? nil : names)
                if approved.isEmpty { throw GatewayError(.notFound, "upstream '\(name)' has no tool waiting for approval") }
                print(
                    "approved \(approved.count) tool\(approved.count == 1 ? "" : "s") of upstream '\(name)': \(approved.map { SafeText.escape($0) }.joined(separator: ", "))"
                )
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change an upstream's settings.",
            discussion: """
                HTTP upstreams take --url, --transport, --allow-private-network, --credential and --header; stdio upstreams take \
                --command/--arg (together they replace the argument vector), --env, --unset-env and --cwd. Both take the timeouts.
                """)
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @Option(name: .long, help: "New endpoint URL (HTTP).") var url: String?
        @Option(name: .long, help: "streamable or sse (HTTP).") var transport: String?
        @Option(name: .long, help: "true or false (HTTP).") var allowPrivateNetwork: Bool?
        @Option(name: .long, help: "A credential connection, bound to the URL's origin ('none' detaches) (HTTP).") var credential: String?
        @Option(name: .long, help: "'Name: value' sets a static header, 'Name:' removes it (HTTP; repeatable).") var header: [String] = []
        @Option(name: .long, help: "The program (stdio); with --arg, replaces the whole argument vector.") var command: String?
        @Option(name: .long, parsing: .unconditionalSingleValue, help: "An argument of the program (stdio; repeatable; needs --command).") var arg:
            [String] = []
        @Option(name: .long, help: "K=V sets an environment variable, K alone copies it from this environment (stdio; repeatable).") var env:
            [String] = []
        @Option(name: .long, help: "Removes an environment variable (stdio; repeatable).") var unsetEnv: [String] = []
        @Option(name: .long, help: "Working directory ('' clears) (stdio).") var cwd: String?
        @Option(name: .long, help: "Seconds a call may stay silent (0 restores the engine default).") var timeout: Double?
        @Option(name: .long, help: "Seconds a call may take at most (0 restores the engine default).") var maxTimeout: Double?

        func validate() throws {
            let http = url != nil || transport != nil || allowPrivateNetwork != nil || credential != nil || !header.isEmpty
            let stdio = command != nil || !arg.isEmpty || !env.isEmpty || !unsetEnv.isEmpty || cwd != nil
            if !http && !stdio && timeout == nil && maxTimeout == nil { throw ValidationError("nothing to change") }
            if http && stdio {
                throw ValidationError(
                    "HTTP settings (--url, --transport, --allow-private-network, --credential, --header) and stdio settings (--command, --arg, --env, --unset-env, --cwd) do not mix"
                )
            }
            if !arg.isEmpty && command == nil {
                throw ValidationError("--arg replaces the argument vector together with --command; give --command too")
            }
            for t in [timeout, maxTimeout].compactMap({ $0 }) where t < 0 { throw ValidationError("timeouts are seconds, 0 or more") }
        }

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                let current = try db.upstream(named: name)
                let isHTTP = current.transport != .stdio
                let httpOptions = url != nil || transport != nil || allowPrivateNetwork != nil || credential != nil || !header.isEmpty
                let stdioOptions = command != nil || !env.isEmpty || !unsetEnv.isEmpty || cwd != nil
                if isHTTP && stdioOptions {
                    throw GatewayError(
                        .invalidArgument,
                        "upstream '\(name)' is \(current.transport.rawValue): --command, --arg, --env, --unset-env and --cwd apply to stdio upstreams"
                    )
                }
                if !isHTTP && httpOptions {
                    throw GatewayError(
                        .invalidArgument,
                        "upstream '\(name)' is stdio: --url, --transport, --allow-private-network, --credential and --header apply to HTTP upstreams")
                }
                let newTimeout = timeout.map { $0 == 0 ? nil : $0 } ?? current.timeoutSeconds
                let newMax = maxTimeout.map { $0 == 0 ? nil : $0 } ?? current.maxTimeoutSeconds
                if let p = UpstreamRules.timeoutProblem(timeout: newTimeout, maxTimeout: newMax) {
                    throw GatewayError(.invalidArgument, "\(p.field == "maxTimeout" ? "max timeout" : "timeout") \(p.message)")
                }
                var changed: [String] = []
                if timeout != nil || maxTimeout != nil { changed.append("timeouts") }
                // HTTP
                let newTransport = try transport.map(UpstreamCommand.httpTransport)
                if let url, let p = UpstreamRules.urlProblem(url) { throw GatewayError(.invalidURL, "--url: \(p)") }
                let effectiveURL = url ?? current.url ?? ""
                let effectiveAllow = allowPrivateNetwork ?? current.allowPrivateNetwork
                let headerChanges = try UpstreamCommand.parseHeaders(header, allowRemoval: true)
                let newCredential: (name: String?, origin: String?)?
                switch credential {
                case nil: newCredential = nil
                case "none"?: newCredential = (nil, nil)
                case let c?:
                    _ = try db.credentialConnection(named: c)
                    newCredential = (c, credentialOrigin(of: effectiveURL))
                }
                if isHTTP && (url != nil || allowPrivateNetwork != nil) {
                    try await UpstreamCommand.admin(db).checkAddress(url: effectiveURL, allowPrivateNetwork: effectiveAllow)
                }
                // stdio
                let newCwd: String?? = try cwd.map { c -> String? in
                    if c.isEmpty { return nil }
                    return try UpstreamCommand.resolveDirectory(c)
                }
                let effectiveCwd = newCwd ?? current.workingDirectory
                let newArgv = try command.map { [try UpstreamCommand.resolveProgram($0, cwd: effectiveCwd)] + arg }
                let setEnv = try UpstreamCommand.parseEnvironment(env)
                for k in unsetEnv where current.env[k] == nil {
                    throw GatewayError(.notFound, "--unset-env: upstream '\(name)' has no environment variable \(k)")
                }
                let removeEnv = unsetEnv
                if url != nil { changed.append("url") }
                if transport != nil { changed.append("transport") }
                if allowPrivateNetwork != nil { changed.append("private networks") }
                if credential != nil { changed.append("credential") }
                if !header.isEmpty { changed.append("headers") }
                if command != nil { changed.append("command") }
                if !env.isEmpty || !unsetEnv.isEmpty { changed.append("environment") }
                if cwd != nil { changed.append("directory") }
                let (newURL, newAllow) = (url, allowPrivateNetwork)
                let updated = try db.updateUpstream(named: name) { r in
                    r.timeoutSeconds = newTimeout
                    r.maxTimeoutSeconds = newMax
                    if let newURL { r.url = newURL }
                    if let newTransport { r.transport = newTransport }
                    if let newAllow { r.allowPrivateNetwork = newAllow }
                    if let newCredential { (r.credential, r.credentialOrigin) = newCredential }
                    if !headerChanges.isEmpty {
                        var h = r.headerFields
                        for (k, v) in headerChanges {
                            // Header names are case-insensitive: one entry per name.
                            for existing in h.keys where existing.lowercased() == k.lowercased() { h[existing] = nil }
                            if let v { h[k] = v }
                        }
                        r.headerFields = h
                    }
                    if let newArgv { r.argv = newArgv }
                    if !setEnv.isEmpty || !removeEnv.isEmpty {
                        var e = r.env
                        for k in removeEnv { e[k] = nil }
                        e.merge(setEnv) { _, new in new }
                        r.env = e
                    }
                    if let newCwd { r.workingDirectory = newCwd }
                }
                print(
                    "updated upstream '\(name)' (\(changed.joined(separator: ", "))): \(updated.transport.rawValue) \(UpstreamCommand.location(updated))"
                )
                if let c = updated.credential {
                    if credential == nil, credentialOrigin(of: updated.url ?? "") != updated.credentialOrigin {
                        print(
                            "warning: credential '\(c)' stays bound to \(updated.credentialOrigin ?? "?"); calls will fail until it is re-attached (--credential \(c))"
                        )
                    } else if credential != nil {
                        print("  credential '\(c)' sent only to \(updated.credentialOrigin ?? "?")")
                    }
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an upstream and its recorded tools (refused while a server uses it).")
        @OptionGroup var store: StoreOptions
        @Argument var name: String

        func run() async throws {
            try await runReportingErrors {
                try store.open().deleteUpstream(named: name)
                print("deleted upstream '\(name)'")
            }
        }
    }
}
