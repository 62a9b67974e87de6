import ArgumentParser
import Foundation
import GatewayEngine
import Store

/// Prints an import's findings on standard error: defects as `warning:`, notes as `note:`.
func printImportFindings(_ findings: [ImportWarning]) {
    for finding in findings {
        let label = finding.kind == .defect ? "warning" : "note"
        FileHandle.standardError.write(Data("\(label): \(finding.description)\n".utf8))
    }
}

/// Prints the findings stored with an API (`gatehouse api show`).
func printStoredFindings(_ findings: [ImportWarning]) {
    let defects = findings.filter { $0.kind == .defect }.count
    print("Warnings:   \(defects) warning\(defects == 1 ? "" : "s"), \(findings.count - defects) note\(findings.count - defects == 1 ? "" : "s")")
    for finding in findings {
        print("  \(finding.kind == .defect ? "warning" : "note   "): \(finding.description)")
    }
}

extension OutputSchemaMode: ExpressibleByArgument {}

/// `gatehouse server output-schema SERVER TOOL MODE`: one tool's output-schema mode.
struct ServerToolOutputSchema: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "output-schema",
        abstract: "Set how one tool's answers are checked against its output schema (strict, tolerant, off, or inherit the API's).")
    @OptionGroup var store: StoreOptions
    @Argument(help: "The server.") var server: String
    @Argument(help: "The tool.") var tool: String
    @Argument(help: "strict, tolerant, off, or inherit.") var mode: String

    func run() async throws {
        try await runReportingErrors {
            guard mode == "inherit" || OutputSchemaMode(rawValue: mode) != nil else {
                throw GatewayError(.invalidArgument, "output-schema mode must be strict, tolerant, off or inherit (got '\(mode)')")
            }
            try store.open().setToolOutputSchemaMode(server: server, tool: tool, mode == "inherit" ? nil : mode)
            print("server '\(server)' tool '\(tool)': output schema \(mode)")
        }
    }
}
