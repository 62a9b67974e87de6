import Foundation
import GatewayEngine
import Store

/// Adding an upstream from the console (`n`): a URL (Streamable HTTP or SSE) or a command line (stdio, split into an
/// argument vector, never run through a shell), checked by the CLI's rules (``UpstreamRules``, the SSRF guard). It is
/// tested before it is kept: the task saves it, connects, lists and records its tools, and removes it again when that
/// fails (the form reopens with the reason), unless "Save untested" is checked.
extension UpstreamsScreen {
    static let add = ConsoleAction("addUpstream")

    static let formBindings = [
        KeyBinding([.char("n")], "Add an upstream (tests it before saving)", short: "New", add, .upstreams, on: [.upstreams], mutating: true)
    ]

    static func addForm() -> Form {
        Form(
            title: "Add an upstream MCP server", purpose: .screen(kind, "add"), submitTitle: "test and save",
            fields: [
                .text("Name", hint: "letters, digits, - _ . (a letter or digit first)"),
                .text("URL", hint: "HTTP: its /mcp URL (or its SSE URL)"),
                .text("Transport", "streamable", hint: "streamable or sse (HTTP)"),
                .checkbox("Private network", false, hint: "allow an HTTP upstream on loopback or a private network"),
                .text("Command", hint: "stdio instead of a URL: program and arguments (quotes group words; no shell)"),
                .text("Environment", hint: "stdio, optional: K=V K2={{credential:NAME}}"),
                .checkbox("Save untested", false, hint: "keep it even if connecting to it fails now"),
            ])
    }

    /// What the form asked for, checked.
    struct Addition: Sendable {
        var record: UpstreamRecord.New
        var saveUntested: Bool
    }

    static func submit(_ form: Form, _ s: ConsoleState) -> Form.Submission {
        guard form.purpose == .screen(kind, "add"), form.fields.count == 7 else { return .unchanged }
        switch addition(form, existing: Set(s.data.upstreams.map(\.name))) {
        case .success(let addition): return .effect(.screenTask(adding(addition)))
        case .failure(let error): return .invalid(error.message)
        }
    }

    static func addition(_ form: Form, existing: Set<String>) -> Result<Addition, GatewayError> {
        Result { () throws(GatewayError) -> Addition in
            let name = form.fields[0].value
            do throws(StoreError) { try GatewayStore.validateName(name) } catch { throw GatewayError(.invalidArgument, error.message) }
            if existing.contains(name) { throw GatewayError(.conflict, "an upstream named '\(name)' exists") }
            let url = form.fields[1].value
            let command = form.fields[4].value
            let environment = form.fields[5].value
            let untested = form.fields[6].checked
            switch (url.isEmpty, command.isEmpty) {
            case (true, true): throw GatewayError(.invalidArgument, "give a URL (HTTP) or a command (stdio)")
            case (false, false): throw GatewayError(.invalidArgument, "give either a URL or a command, not both")
            case (false, true):
                if !environment.isEmpty { throw GatewayError(.invalidArgument, "the environment applies to a command (stdio)") }
                if let problem = UpstreamRules.urlProblem(url) { throw GatewayError(.invalidURL, "URL: \(problem)") }
                let transport: UpstreamRecord.Transport
                switch form.fields[2].value {
                case "", "streamable": transport = .streamable
                case "sse": transport = .sse
                default: throw GatewayError(.invalidArgument, "the transport is streamable or sse")
                }
                return Addition(
                    record: UpstreamRecord.New(name: name, transport: transport, url: url, allowPrivateNetwork: form.fields[3].checked),
                    saveUntested: untested)
            case (true, false):
                if form.fields[3].checked { throw GatewayError(.invalidArgument, "Private network applies to a URL (HTTP)") }
                let argv = try UpstreamRules.splitCommandLine(command)
                var env: [String: String] = [:]
                if !environment.isEmpty {
                    for item in try UpstreamRules.splitCommandLine(environment) {
                        guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                            throw GatewayError(.invalidArgument, "environment: '\(item.prefix(40))' is not K=V")
                        }
                        let key = String(item[..<eq])
                        if let problem = UpstreamRules.environmentNameProblem(key) { throw GatewayError(.invalidArgument, "environment: \(problem)") }
                        guard env.updateValue(String(item[item.index(after: eq)...]), forKey: key) == nil else {
                            throw GatewayError(.invalidArgument, "environment: \(key) is given twice")
                        }
                    }
                }
                return Addition(record: UpstreamRecord.New(name: name, transport: .stdio, argv: argv, environment: env), saveUntested: untested)
            }
        }
    }

    static func adding(_ a: Addition) -> ScreenTask {
        ScreenTask("upstream.add", subject: a.record.name) { executor in
            let store = executor.store
            var record = a.record
            let admin = UpstreamAdmin(store: store, logger: executor.upstreamLogger)
            if let url = record.url {
                try await admin.checkAddress(url: url, allowPrivateNetwork: record.allowPrivateNetwork)
            } else if let program = record.argv.first {
                record.argv[0] = try UpstreamRules.resolveProgram(program, cwd: nil, field: "command")
            }
            defer { UpstreamActionCounter.shared.bump(for: store) }
            let added = try store.addUpstream(record)
            // As the CLI warns: environment values are stored unsealed.
            let clear = record.env.keys.sorted().filter { UpstreamRules.looksLikeClearSecret(name: $0, value: record.env[$0] ?? "") }
            let warning =
                clear.isEmpty
                ? ""
                : "; warning: \(clear.joined(separator: ", ")) looks like a secret and environment values are stored unsealed: keep it in a credential and write {{credential:NAME}}"
            if a.saveUntested { return "added upstream '\(added.name)' untested: t connects and lists its tools" + warning }
            do {
                let report = try await admin.discover(added.name)
                return "added " + ConsoleEffectExecutor.describe(report) + warning
            } catch let failure {
                let reason = (failure as? any GatehouseError)?.message ?? "\(failure)"
                do { try store.deleteUpstream(named: added.name) } catch {
                    throw UpstreamError(
                        .unavailable,
                        "the test failed (\(reason)) and the upstream could not be removed again: \(ConsoleEffectExecutor.describe(error))")
                }
                throw UpstreamError(.unavailable, "the test failed, nothing saved: \(reason) (check Save untested to keep it anyway)")
            }
        }
    }
}
