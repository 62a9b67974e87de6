import Foundation
import Store

/// Live records answer the same filter as stored ones (the console's `/` on the requests screen).
extension RequestRecord: RequestLogFilterable {
    public var filterTime: Date { time }
    public var filterOutcome: String { outcome.rawValue }

    public func filterText(_ field: RequestLogTextField) -> String? {
        switch field {
        case .server: server
        case .tool: tool
        case .method: method
        case .client: clientName
        case .address: client
        case .principal: principal
        case .transport: transport
        case .version: protocolVersion
        case .error: error
        }
    }

    public func filterNumber(_ field: RequestLogNumberField) -> Int64? {
        switch field {
        case .latency: latency.microseconds
        case .status: Int64(status)
        case .code: rpcCode.map(Int64.init)
        case .backend: backendStatus.map(Int64.init)
        case .bytesIn: Int64(bytesIn)
        case .bytesOut: Int64(bytesOut)
        }
    }
}
