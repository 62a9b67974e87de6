/// An incremental `text/event-stream` parser: bytes in, complete events out. Lines may end in LF, CR LF or CR. An
/// event larger than the cap is an error (the stream is then aborted).
struct SSEParser: Sendable {
    struct Event: Sendable, Equatable {
        var name: String?
        var data: String
        var id: String?
    }

    struct TooLarge: Error {}

    let maxEventBytes: Int
    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var name: String?
    private var id: String?
    private var lastWasCR = false

    init(maxEventBytes: Int) { self.maxEventBytes = maxEventBytes }

    /// Feeds bytes; returns the events they completed.
    mutating func feed(_ bytes: some Sequence<UInt8>) throws(TooLarge) -> [Event] {
        var events: [Event] = []
        for b in bytes {
            if b == 0x0A && lastWasCR {
                lastWasCR = false
                continue
            }
            lastWasCR = b == 0x0D
            if b == 0x0A || b == 0x0D {
                if let e = try endLine() { events.append(e) }
            } else {
                line.append(b)
                if line.count + data.count > maxEventBytes { throw TooLarge() }
            }
        }
        return events
    }

    private mutating func endLine() throws(TooLarge) -> Event? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            defer {
                data.removeAll(keepingCapacity: true)
                hasData = false
                name = nil
            }
            guard hasData else { return nil }
            return Event(name: name, data: String(decoding: data, as: UTF8.self), id: id)
        }
        if line[0] == UInt8(ascii: ":") { return nil }
        var field: ArraySlice<UInt8>
        var value: ArraySlice<UInt8> = []
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = line[..<colon]
            value = line[(colon + 1)...]
            if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        } else {
            field = line[...]
        }
        switch String(decoding: field, as: UTF8.self) {
        case "data":
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
            if data.count > maxEventBytes { throw TooLarge() }
        case "event": name = String(decoding: value, as: UTF8.self)
        case "id": id = String(decoding: value, as: UTF8.self)
        default: break
        }
        return nil
    }
}
