import ArgumentParser
import Foundation
import GatewayEngine
import Store

struct CredentialCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credential", abstract: "Manage outbound credentials: providers, connections, the master key.",
        subcommands: [Provider.self, List.self, Create.self, Connect.self, Test.self, Delete.self, RotateKey.self])

    /// Opens the store and the vault (creating the key file on first use when `create`).
    static func vault(_ options: StoreOptions, create: Bool) throws -> CredentialVault {
        try CredentialVault.open(store: try options.open(), environment: ProcessInfo.processInfo.environment, create: create)
    }

    /// Reads a secret from standard input (one value; a trailing newline is dropped).
    static func readSecret() throws -> SecretValue {
        var text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        guard !text.isEmpty else { throw CredentialError(.invalid, "no secret on standard input") }
        return SecretValue(text)
    }

    struct Provider: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Credential providers (api-key, bearer, basic, client-credentials, authorization-code).",
            subcommands: [Add.self, ProviderList.self, Show.self, ProviderDelete.self])
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a provider. Secrets are read from standard input, never from arguments; a connection named like the provider is created.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @Option(name: .long, help: "api-key, bearer, basic, client-credentials or authorization-code.") var type: String
        @Flag(
            name: [.customLong("secret-stdin"), .customLong("token-stdin"), .customLong("password-stdin"), .customLong("client-secret-stdin")],
            help: "Read the secret (key, token, password or client secret) from standard input.")
        var secretStdin = false
        @Option(name: .long, help: "api-key: the header that carries the key (default X-API-Key).") var header: String?
        @Option(name: .long, help: "api-key: send the key as this query parameter instead.") var query: String?
        @Option(name: .long, help: "basic: the user name.") var username: String?
        @Option(name: .long, help: "OAuth: token endpoint URL.") var tokenUrl: String?
        @Option(name: .long, help: "authorization-code: authorization endpoint URL.") var authorizationUrl: String?
        @Option(name: .long, help: "OAuth: client id.") var clientId: String?
        @Option(name: .long, help: "OAuth: a scope to request (repeatable).") var scope: [String] = []
        @Option(name: .long, help: "OAuth: audience to request.") var audience: String?
        @Option(name: .long, help: "OAuth client authentication: basic (default) or post.") var clientAuth: String?
        @Flag(name: .long, help: "Allow token/authorization endpoints on loopback or private networks.") var allowPrivateNetwork = false

        func run() async throws {
            try await runReportingErrors {
                guard let kind = CredentialKind(rawValue: type) else {
                    throw CredentialError(.invalid, "--type must be one of \(CredentialKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                let settings = CredentialProviderSettings(
                    headerName: header, queryName: query, username: username, tokenURL: tokenUrl, authorizationURL: authorizationUrl,
                    clientID: clientId,
                    scopes: scope.isEmpty ? nil : scope, audience: audience, clientAuthentication: clientAuth)
                try settings.validate(for: kind)
                let secret = secretStdin ? try CredentialCommand.readSecret() : nil
                let vault = try CredentialCommand.vault(store, create: true)
                try CredentialService(vault: vault).addProvider(
                    name: name, kind: kind, settings: settings, secret: secret, allowPrivateNetwork: allowPrivateNetwork)
                print("added \(kind.rawValue) provider '\(name)' (secret sealed with the master key from \(vault.keySource))")
                switch kind {
                case .authorizationCode: print("next: gatehouse credential connect \(name)")
                case .clientCredentials: print("next: gatehouse credential test \(name)")
                default: print("attach it: gatehouse api set API --credential \(name)")
                }
            }
        }
    }

    struct ProviderList: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List providers (secrets masked).")
        @OptionGroup var store: StoreOptions
        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                let service = (try? CredentialCommand.vault(store, create: false)).map { CredentialService(vault: $0) }
                printTable(
                    ["NAME", "TYPE", "SECRET", "DETAIL"],
                    try db.credentialProviders().map { p in
                        let s = CredentialProviderSettings.decode(p.settings)
                        let detail =
                            s.tokenURL ?? s.headerName.map { "header \($0)" } ?? s.queryName.map { "query \($0)" } ?? s.username.map { "user \($0)" }
                            ?? "-"
                        return [p.name, p.kind, service?.maskedSecret(p) ?? (p.secret == nil ? "-" : "(locked)"), detail]
                    })
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a provider (its secret masked).")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        func run() async throws {
            try await runReportingErrors {
                let p = try store.open().credentialProvider(named: name)
                let s = CredentialProviderSettings.decode(p.settings)
                let service = (try? CredentialCommand.vault(store, create: false)).map { CredentialService(vault: $0) }
                print("provider:  \(p.name) (\(p.kind))")
                for (label, value) in [
                    ("header", s.headerName), ("query", s.queryName), ("username", s.username), ("token URL", s.tokenURL),
                    ("auth URL", s.authorizationURL), ("client id", s.clientID), ("scopes", s.scopes?.joined(separator: " ")),
                    ("audience", s.audience),
                ] {
                    if let value { print("\(label.padding(toLength: 10, withPad: " ", startingAt: 0)) \(value)") }
                }
                print("secret:    \(service?.maskedSecret(p) ?? "(credentials locked)")")
                print("private networks: \(p.allowPrivateNetwork ? "allowed" : "refused")")
            }
        }
    }

    struct ProviderDelete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a provider and its connections.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        func run() async throws {
            try await runReportingErrors {
                try store.open().deleteCredentialProvider(named: name)
                print("deleted provider '\(name)'")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List connections and their status.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                let providers = Dictionary(uniqueKeysWithValues: try db.credentialProviders().map { ($0.id, $0) })
                let users = try db.apis().filter { $0.credential != nil }
                let rows = try db.credentialConnections().map { c -> [String] in
                    let expiry = c.expiresAt.map { ISO8601DateFormatter().string(from: $0) } ?? "-"
                    let apis = users.filter { $0.credential == c.name }.map(\.name).joined(separator: ",")
                    return [c.name, providers[c.providerId]?.name ?? "?", c.status, expiry, apis.isEmpty ? "-" : apis, c.statusReason ?? ""]
                }
                if output.json {
                    try printJSON(rows.map { ["name": $0[0], "provider": $0[1], "status": $0[2], "expires": $0[3], "apis": $0[4], "reason": $0[5]] })
                } else {
                    printTable(["CONNECTION", "PROVIDER", "STATUS", "TOKEN EXPIRES", "APIS", "REASON"], rows)
                }
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create another connection of an OAuth provider.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @Option(name: .long) var provider: String
        func run() async throws {
            try await runReportingErrors {
                try CredentialService.validateName(name)
                let db = try store.open()
                let p = try db.credentialProvider(named: provider)
                guard let kind = CredentialKind(rawValue: p.kind), !kind.isStatic else {
                    throw CredentialError(.invalid, "a static provider is its own connection ('\(provider)')")
                }
                try db.createCredentialConnection(name: name, provider: provider, status: "pending")
                print("created connection '\(name)' of provider '\(provider)'")
            }
        }
    }

    struct Connect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the URL that authorises an authorization-code connection (valid 10 minutes, once).")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @Option(name: .long, help: "Where the provider sends the browser back: the running gateway's /oauth/callback.")
        var redirectUri = "http://127.0.0.1:8080/oauth/callback"
        func run() async throws {
            try await runReportingErrors {
                let url = try CredentialService(vault: try CredentialCommand.vault(store, create: false)).startAuthorization(
                    connection: name, redirectURI: redirectUri)
                print("Open this URL in a browser to authorise '\(name)' (the gateway must be serving \(redirectUri)):")
                print(url)
            }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Obtain a token for a connection now and report the outcome (token masked).")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                let injection = try await CredentialManager.withStandalone(store: db) { try await $0.injection(for: name) }
                for h in injection.headers { print("\(h.name): \(SecretValue(h.value).masked)") }
                for q in injection.query { print("?\(q.name)=\(SecretValue(q.value).masked)") }
                print("connection '\(name)': \(try db.credentialConnection(named: name).status)")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a connection (refused while an API uses it).")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        func run() async throws {
            try await runReportingErrors {
                try store.open().deleteCredentialConnection(named: name)
                print("deleted connection '\(name)'")
            }
        }
    }

    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Re-seal every secret under a new master key (crash-safe; with GATEHOUSE_MASTER_KEY, the new key comes from GATEHOUSE_NEW_MASTER_KEY)."
        )
        @OptionGroup var store: StoreOptions
        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                let path = CredentialVault.keyFilePath(for: db)
                let env = ProcessInfo.processInfo.environment
                let rotation = SecretRotation(
                    store: db, loader: MasterKeyLoader(environment: env, keyFilePath: path), keyFilePath: path, environment: env)
                let key = try rotation.rotate()
                print("re-sealed every secret under master key \(key.id)")
                print("running gateways pick the new key up on their next credential use")
                if env[MasterKeyLoader.environmentVariable] != nil {
                    print("now set GATEHOUSE_MASTER_KEY to the value of GATEHOUSE_NEW_MASTER_KEY before the next start")
                }
            }
        }
    }
}
