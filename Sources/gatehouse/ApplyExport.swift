import ArgumentParser
import Foundation
import GatewayEngine
import Store

struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply a declarative configuration file (checked whole before anything is written).")
    @OptionGroup var store: StoreOptions
    @Option(name: .shortAndLong, help: "The YAML file.") var file: String

    func run() async throws {
        try await runReportingErrors {
            let url = URL(fileURLWithPath: file).standardizedFileURL
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw GatewayError(.invalidConfig, "cannot read file", location: file)
            }
            let doc = try ConfigApplier.parse(String(decoding: data, as: UTF8.self), file: file)
            let summary = try await ConfigApplier(store: try store.open()).apply(doc, baseDirectory: url.deletingLastPathComponent().path, file: file)
            for w in summary.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
            print(
                "applied \(summary.apis.count) APIs, \(summary.upstreams.count) upstreams, \(summary.servers.count) servers, \(summary.policies.count) policies, \(summary.subscriptions.count) subscriptions, \(summary.credentials.count) credentials, \(summary.registry.count) registry entries"
            )
            for k in summary.createdKeys {
                print("created subscription '\(k.subscription)' with key \(k.key) (shown only now)")
            }
        }
    }
}

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the current configuration in the `apply` format.")
    @OptionGroup var store: StoreOptions
    @Option(name: .shortAndLong, help: "Write to this file, with each API's document saved beside it under specs/.") var output: String?
    @Flag(name: .long, help: "Write credential secrets in clear (needs the master key). Default: references only.") var includeSecrets = false

    func run() async throws {
        try await runReportingErrors {
            let applier = ConfigApplier(store: try store.open(reading: true))
            if let output {
                let url = URL(fileURLWithPath: output).standardizedFileURL
                let dir = url.deletingLastPathComponent().path
                let doc = try applier.export(specDirectory: dir + "/specs", relativeTo: dir, includeSecrets: includeSecrets)
                let text = try ConfigApplier.render(doc)
                if includeSecrets {
                    // Secrets in clear: the file is created owner-only before a byte is written.
                    let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o600)
                    guard fd >= 0 else { throw GatewayError(.invalidArgument, "cannot create \(output)") }
                    fchmod(fd, 0o600)
                    let bytes = Array(text.utf8)
                    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                    close(fd)
                    guard written == bytes.count else { throw GatewayError(.invalidArgument, "cannot write \(output)") }
                } else {
                    try text.write(to: url, atomically: true, encoding: .utf8)
                }
                print("wrote \(output)")
            } else {
                print(try ConfigApplier.render(try applier.export(includeSecrets: includeSecrets)), terminator: "")
            }
        }
    }
}
