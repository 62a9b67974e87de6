import ArgumentParser
import Foundation
import GatewayEngine
import Store

extension RegistryCommand {
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register an MCP server the gateway does not host: by --url, or from a server.json (packages included).",
            discussion: """
                gatehouse registry add NAME --url URL [--transport streamable|sse] [--description D] [--title T] [--version V] \
                [--owner O] [--tag T]... [--lifecycle development|testing|production|deprecated|retired]
                gatehouse registry add --from server.json [--owner O] [--tag T]... [--lifecycle L]
                NAME is reverse-DNS with one '/' (com.example/weather). A server.json is checked against the MCP Registry's \
                schema; a violation is refused with its JSON pointer and rule. Packages (npm, pypi, oci…) are listed for \
                clients to run locally; the registry never runs them. Remote entries are probed (SSRF-checked: \
                --allow-private-network for one on loopback or a private network).
                """)
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The server's reverse-DNS name (with --url).") var name: String?
        @Option(name: .long, help: "Its endpoint: the Streamable HTTP URL, or the SSE URL with --transport sse.") var url: String?
        @Option(name: .long, help: "streamable (default) or sse.") var transport = "streamable"
        @Option(name: .long, help: "What it does (1–100 characters).") var description: String?
        @Option(name: .long, help: "A display title.") var title: String?
        @Option(name: .long, help: "Its version (default 1.0.0).") var version: String?
        @Option(name: .long, help: "A server.json file (as published for the official registry).") var from: String?
        @Option(name: .long, help: "Who owns it.") var owner: String?
        @Option(name: .long, help: "A tag (repeatable).") var tag: [String] = []
        @Option(name: .long, help: "development, testing, production (default), deprecated or retired.") var lifecycle: String?
        @Flag(name: .long, help: "Let probes reach it on loopback or a private network.") var allowPrivateNetwork = false

        func validate() throws {
            if from != nil {
                if name != nil || url != nil || description != nil || title != nil || version != nil {
                    throw ValidationError("--from takes the name, URL, description, title and version from the server.json")
                }
            } else if name == nil || url == nil {
                throw ValidationError("give NAME --url URL, or --from server.json")
            }
            _ = try RegistryCommand.lifecycle(lifecycle)
        }

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                let document: JSONObject
                if let from {
                    guard let data = FileManager.default.contents(atPath: from) else { throw GatewayError(.invalidArgument, "cannot read \(from)") }
                    document = try RegistryAdmin.parseServerJSON(String(decoding: data, as: UTF8.self), source: from)
                } else {
                    document = try RegistryAdmin.document(
                        for: .init(name: name!, url: url!, transport: transport, description: description, title: title, version: version))
                }
                let attributes = RegistryAdmin.Attributes(
                    lifecycle: try RegistryCommand.lifecycle(lifecycle) ?? .production, owner: owner, tags: tag,
                    allowPrivateNetwork: allowPrivateNetwork)
                let r = try RegistryCommand.admin(db).add(document, attributes)
                if output.json {
                    print(
                        RegistryListing.pretty(
                            .object(["name": .string(r.name), "version": .string(r.version), "lifecycle": .string(r.lifecycle.rawValue)])))
                    return
                }
                print("registered \(r.name) \(r.version) (\(r.lifecycle.rawValue))")
                let remotes = document["remotes"]?.arrayValue ?? []
                let packages = document["packages"]?.arrayValue ?? []
                for remote in remotes { print("  remote \(remote["type"]?.stringValue ?? "?"): \(remote["url"]?.stringValue ?? "?")") }
                for p in packages {
                    print(
                        "  package \(p["registryType"]?.stringValue ?? "?") \(p["identifier"]?.stringValue ?? "?") (run by clients, never by the registry)"
                    )
                }
                if !remotes.isEmpty { print("a running gateway probes it now; or: gatehouse registry probe \(r.name)") }
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change an entry: an external one's server.json fields or attributes, or what a gateway server's entry says.",
            discussion: """
                External entries: --from replaces the server.json (same name and version); --description, --title, --url and \
                --transport edit it; --version picks the version to change (default: the latest).
                Gateway entries (NAME is the registry name or the server's name): --version sets the version published \
                (auto: derived from the configuration revision again); --title and --description override the server's.
                """)
        @OptionGroup var store: StoreOptions
        @Argument(help: "The registry name, or a gateway server's name.") var name: String
        @Option(name: .long, help: "External: the version to change. Gateway: the version to publish, or auto.") var version: String?
        @Option(name: .long, help: "A server.json replacing the entry's (external).") var from: String?
        @Option(name: .long) var description: String?
        @Option(name: .long) var title: String?
        @Option(name: .long, help: "The remote's URL (external).") var url: String?
        @Option(name: .long, help: "streamable or sse (external).") var transport: String?
        @Option(name: .long) var owner: String?
        @Option(name: .long, help: "A tag (repeatable): replaces the tags.") var tag: [String] = []
        @Flag(name: .long, help: "Remove every tag.") var noTags = false
        @Option(name: .long, help: "development, testing, production, deprecated or retired.") var lifecycle: String?
        @Option(name: .long, help: "Why it is deprecated or retired (at most 500 characters).") var message: String?
        @Option(name: .long, help: "true or false: may probes reach it on loopback or a private network (external).") var allowPrivateNetwork: Bool?

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                let admin = RegistryCommand.admin(db)
                let lifecycle = try RegistryCommand.lifecycle(lifecycle)
                let tags: [String]? = noTags ? [] : (tag.isEmpty ? nil : tag)
                let (owner, message) = (self.owner, self.message)
                if let server = admin.gatewayServer(for: name) {
                    if from != nil || url != nil || transport != nil || allowPrivateNetwork != nil {
                        throw GatewayError(.invalidArgument, "'\(name)' is gateway server '\(server)': its server.json follows its configuration")
                    }
                    let (version, title, description) = (self.version, self.title, self.description)
                    let r = try admin.updateGateway(server: server) { g in
                        if let version { g.version = version == "auto" ? nil : version }
                        if let title { g.title = title.isEmpty ? nil : title }
                        if let description { g.description = description.isEmpty ? nil : description }
                        if let lifecycle { g.lifecycle = lifecycle }
                        if let owner { g.owner = owner.isEmpty ? nil : owner }
                        if let tags { g.tagList = tags }
                        if let message { g.statusMessage = message.isEmpty ? nil : message }
                    }
                    print("gateway server '\(server)': version \(r.version ?? "derived from the configuration"), \(r.lifecycle.rawValue)")
                    return
                }
                let v = try admin.resolveVersion(name, version)
                var document: JSONObject?
                if let from {
                    guard let data = FileManager.default.contents(atPath: from) else { throw GatewayError(.invalidArgument, "cannot read \(from)") }
                    document = try RegistryAdmin.parseServerJSON(String(decoding: data, as: UTF8.self), source: from)
                } else if description != nil || title != nil || url != nil || transport != nil {
                    guard let current = try db.registryEntries(named: name).first(where: { $0.version == v }),
                        case .object(var doc) = try JSONParser().parse(current.document)
                    else { throw GatewayError(.notFound, "no registry entry '\(name)' version \(v)") }
                    if let description { doc["description"] = .string(description) }
                    if let title { doc["title"] = title.isEmpty ? nil : .string(title) }
                    if url != nil || transport != nil {
                        let old = doc["remotes"]?.arrayValue?.first
                        let spec = RegistryAdmin.Spec(
                            name: name, url: url ?? old?["url"]?.stringValue ?? "",
                            transport: transport ?? (old?["type"]?.stringValue ?? "streamable"))
                        doc["remotes"] = try RegistryAdmin.document(for: spec)["remotes"]
                    }
                    document = doc
                }
                let allowPrivate = allowPrivateNetwork
                let r = try admin.update(name: name, version: v, document: document) { a in
                    if let lifecycle { a.lifecycle = lifecycle }
                    if let owner { a.owner = owner.isEmpty ? nil : owner }
                    if let tags { a.tags = tags }
                    if let message { a.statusMessage = message.isEmpty ? nil : message }
                    if let allowPrivate { a.allowPrivateNetwork = allowPrivate }
                }
                print("updated \(r.name) \(r.version) (\(r.lifecycle.rawValue))")
            }
        }
    }

    struct Deprecate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark an entry deprecated (clients see status deprecated, with the message).")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @Option(name: .long, help: "A version of an external entry (default: the latest).") var version: String?
        @Option(name: .long, help: "Why, and what to use instead (at most 500 characters).") var message: String?

        func run() async throws {
            try await runReportingErrors {
                let what = try RegistryCommand.admin(try store.open()).deprecate(name, version: version, message: message)
                print("deprecated \(what)")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove an external entry (every version, or one). It stays listed as deleted for clients that sync, unless --purge.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @Option(name: .long) var version: String?
        @Flag(name: .long, help: "Forget it entirely (clients that sync with updated_since will not learn it was deleted).") var purge = false

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                if let server = RegistryCommand.admin(db).gatewayServer(for: name) {
                    throw GatewayError(
                        .invalidArgument,
                        "'\(name)' is gateway server '\(server)': it leaves the registry when the server is deleted or disabled (or deprecate it)")
                }
                let removed = try db.removeRegistryEntry(name: name, version: version, purge: purge)
                print("\(purge ? "purged" : "removed") \(removed.joined(separator: ", "))")
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import another registry's list (a file, or an http(s) URL such as https://registry.example/v0.1/servers).",
            discussion: """
                New entries land pending until approved (gatehouse registry approve NAME|--all); changes to approved ones \
                wait too, and the approved server.json stays served meanwhile. Entries the source marks deleted remove ours. \
                URLs are SSRF-checked, never redirected and capped in size; metadata.nextCursor is followed.
                """)
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "A file or an http(s) URL.") var source: String
        @Flag(name: .long, help: "Allow a URL on loopback or a private network.") var allowPrivateNetwork = false
        @Option(name: .long, help: "The largest page accepted, in bytes (default 10 MiB).") var maxBytes = 10 * 1024 * 1024
        @Option(name: .long, help: "Pages read at most (default 50).") var maxPages = 50
        @Flag(name: .long, help: "Skip entries that break the server.json schema instead of refusing the import.") var skipInvalid = false

        func run() async throws {
            try await runReportingErrors {
                var options = RegistryAdmin.ImportOptions()
                options.baseDirectory = FileManager.default.currentDirectoryPath
                options.allowPrivateNetwork = allowPrivateNetwork
                options.maxBytes = maxBytes
                options.maxPages = maxPages
                options.skipInvalid = skipInvalid
                let report = try await RegistryCommand.admin(try store.open()).importList(source, options: options)
                let o = report.outcome
                if output.json {
                    let list = { (names: [String]) in JSONValue.array(names.map { .string($0) }) }
                    print(
                        RegistryListing.pretty(
                            .object([
                                "added": list(o.added), "changed": list(o.changed), "removed": list(o.removed), "unchanged": list(o.unchanged),
                                "skipped": list(report.skipped), "pages": .int(Int64(report.pages)),
                            ])))
                    return
                }
                print(
                    "imported \(report.pages) \(report.pages == 1 ? "page" : "pages"): \(o.added.count) new (pending), \(o.changed.count) changed (pending), "
                        + "\(o.removed.count) removed, \(o.unchanged.count) unchanged")
                for a in o.added { print("  pending  \(a)") }
                for c in o.changed { print("  changed  \(c)") }
                for r in o.removed { print("  removed  \(r)") }
                for s in report.skipped { FileHandle.standardError.write(Data("skipped: \(s)\n".utf8)) }
                if !o.added.isEmpty || !o.changed.isEmpty { print("approve with: gatehouse registry approve NAME (or --all)") }
            }
        }
    }
}
