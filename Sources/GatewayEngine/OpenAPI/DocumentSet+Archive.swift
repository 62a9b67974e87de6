import Foundation
import ZIPFoundation

/// `.zip` (ZIPFoundation) and `.tar.gz` archives, read into memory — nothing is written to disk, so no entry name
/// or link can place a file anywhere. Entry names are normalised like references (an entry whose name is absolute
/// or leaves the archive with `..` is dropped), links are recorded but never followed, and the sizes are bounded
/// so that a compression bomb fails fast.
extension DocumentSet {
    /// The largest archive accepted (64 MiB compressed).
    static let maxArchiveBytes = 64 * 1024 * 1024
    /// The most entries an archive may hold.
    static let maxEntries = 50_000

    static func openArchive(_ path: String) throws(GatewayError) -> DocumentSet {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= maxArchiveBytes else {
            throw GatewayError(.invalidSpec, "the archive is \(size) bytes; the limit is \(maxArchiveBytes) bytes", location: path)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GatewayError(.invalidSpec, "cannot read the archive", location: path)
        }
        var (files, links) =
            path.lowercased().hasSuffix(".zip")
            ? try zipEntries(data, display: path) : try tarEntries(try gunzip(data, display: path), display: path)
        // An archive usually holds one folder (`spec/…`): the root is looked for inside it.
        let tops = Set(files.keys.map { String($0.prefix { $0 != "/" }) })
        if tops.count == 1, let top = tops.first, files.keys.allSatisfy({ $0.hasPrefix(top + "/") }) {
            files = Dictionary(uniqueKeysWithValues: files.map { (String($0.key.dropFirst(top.count + 1)), $0.value) })
            links = Set(links.compactMap { $0.hasPrefix(top + "/") ? String($0.dropFirst(top.count + 1)) : nil })
        }
        let snapshot = files
        let root = try findRoot(in: files.keys.sorted(), display: path) { name throws(GatewayError) in
            guard let data = snapshot[name] else { throw GatewayError(.invalidSpec, "no file '\(name)'") }
            return data
        }
        return DocumentSet(storage: .archive(files: files, links: links), displayName: path, root: root)
    }

    /// An entry name as a path inside the archive, or nil when it is absolute or leaves the archive.
    static func entryPath(_ name: String) -> String? {
        let trimmed = name.hasPrefix("./") ? String(name.dropFirst(2)) : name
        guard !trimmed.isEmpty, case .success(let path) = resolve(trimmed, from: "") else { return nil }
        return path
    }

    /// Adds one entry, keeping the totals within bounds.
    private static func add(_ name: String, _ data: Data, to files: inout [String: Data], total: inout Int, display: String)
        throws(GatewayError)
    {
        guard let path = entryPath(name) else { return }
        guard data.count <= maxFileBytes else {
            throw GatewayError(.invalidSpec, "'\(path)' in the archive is over \(maxFileBytes) bytes", location: display)
        }
        total += data.count
        guard total <= maxTotalBytes, files.count < maxEntries else {
            throw GatewayError(.invalidSpec, "the archive expands past \(maxTotalBytes) bytes or \(maxEntries) files", location: display)
        }
        files[path] = data
    }

    static func zipEntries(_ data: Data, display: String) throws(GatewayError) -> ([String: Data], Set<String>) {
        let archive: Archive
        do { archive = try Archive(data: data, accessMode: .read) } catch {
            throw GatewayError(.invalidSpec, "not a readable .zip archive", location: display)
        }
        var files: [String: Data] = [:]
        var links: Set<String> = []
        var total = 0
        for entry in archive {
            switch entry.type {
            case .directory: continue
            case .symlink:
                if let path = entryPath(entry.path) { links.insert(path) }
                continue
            case .file: break
            }
            // Only documents are needed; anything else in the archive is not even decompressed.
            let lower = entry.path.lowercased()
            guard [".yaml", ".yml", ".json"].contains(where: { lower.hasSuffix($0) }) else { continue }
            guard entry.uncompressedSize <= UInt64(maxFileBytes) else {
                throw GatewayError(.invalidSpec, "'\(entry.path)' in the archive is over \(maxFileBytes) bytes", location: display)
            }
            var content = Data()
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    content.append(chunk)
                    if content.count > maxFileBytes { throw CocoaError(.fileReadTooLarge) }
                }
            } catch {
                throw GatewayError(.invalidSpec, "cannot decompress '\(entry.path)' in the archive", location: display)
            }
            try add(entry.path, content, to: &files, total: &total, display: display)
        }
        return (files, links)
    }

    /// A gzip member's content (RFC 1952), inflated with ZIPFoundation's raw-deflate decoder and checked against its
    /// CRC-32 and length.
    static func gunzip(_ data: Data, display: String) throws(GatewayError) -> Data {
        let bytes = [UInt8](data)
        let bad = GatewayError(.invalidSpec, "not a readable .tar.gz archive", location: display)
        guard bytes.count >= 18, bytes[0] == 0x1F, bytes[1] == 0x8B, bytes[2] == 8 else { throw bad }
        let flags = bytes[3]
        var offset = 10
        if flags & 0x04 != 0 { // FEXTRA
            guard offset + 2 <= bytes.count else { throw bad }
            offset += 2 + Int(bytes[offset]) + Int(bytes[offset + 1]) << 8
        }
        for flag in [UInt8(0x08), 0x10] where flags & flag != 0 { // FNAME, FCOMMENT: zero-terminated
            while offset < bytes.count, bytes[offset] != 0 { offset += 1 }
            offset += 1
        }
        if flags & 0x02 != 0 { offset += 2 } // FHCRC
        guard offset < bytes.count - 8 else { throw bad }
        let deflated = Data(bytes[offset..<(bytes.count - 8)])
        let chunk = 64 * 1024
        var out = Data()
        let crc: CRC32
        do {
            crc = try Data.decompress(
                size: Int64(deflated.count), bufferSize: chunk, skipCRC32: false,
                provider: { position, size in
                    // The decoder reads `size` bytes each time: the last chunk is padded (deflate ends by itself, so
                    // the padding is never read as data), and reading on past it means the stream is truncated.
                    guard position <= Int64(deflated.count) else { throw CocoaError(.fileReadCorruptFile) }
                    var part = deflated.subdata(in: Int(position)..<min(deflated.count, Int(position) + size))
                    if part.count < size { part.append(Data(count: size - part.count)) }
                    return part
                },
                consumer: { piece in
                    out.append(piece)
                    if out.count > maxTotalBytes { throw CocoaError(.fileReadTooLarge) }
                })
        } catch {
            throw GatewayError(.invalidSpec, "the .tar.gz archive is corrupt, truncated, or expands past \(maxTotalBytes) bytes", location: display)
        }
        let trailer = bytes.suffix(8).map(UInt32.init)
        let expectedCRC = trailer[0] | trailer[1] << 8 | trailer[2] << 16 | trailer[3] << 24
        let expectedSize = trailer[4] | trailer[5] << 8 | trailer[6] << 16 | trailer[7] << 24
        guard crc == expectedCRC, UInt32(truncatingIfNeeded: out.count) == expectedSize else { throw bad }
        return out
    }

    /// The regular files of a (ustar, pax or GNU) tar stream; links are recorded, other entries skipped.
    static func tarEntries(_ data: Data, display: String) throws(GatewayError) -> ([String: Data], Set<String>) {
        let bytes = [UInt8](data)
        var files: [String: Data] = [:]
        var links: Set<String> = []
        var total = 0
        var offset = 0
        var longName: String?
        func field(_ start: Int, _ length: Int) -> String {
            let slice = bytes[(offset + start)..<(offset + start + length)]
            return String(decoding: slice.prefix { $0 != 0 }, as: UTF8.self)
        }
        while offset + 512 <= bytes.count {
            if bytes[offset..<(offset + 512)].allSatisfy({ $0 == 0 }) { break }
            let sizeText = field(124, 12).trimmingCharacters(in: .whitespaces)
            guard let size = Int(sizeText.isEmpty ? "0" : sizeText, radix: 8), size >= 0,
                offset + 512 + size <= bytes.count
            else {
                throw GatewayError(.invalidSpec, "the tar archive is corrupt or truncated", location: display)
            }
            let type = bytes[offset + 156]
            let prefix = field(257, 6).hasPrefix("ustar") ? field(345, 155) : ""
            var name = longName ?? (prefix.isEmpty ? field(0, 100) : prefix + "/" + field(0, 100))
            let content = Data(bytes[(offset + 512)..<(offset + 512 + size)])
            longName = nil
            switch type {
            case UInt8(ascii: "L"): // GNU long name of the next entry
                longName = String(decoding: content.prefix { $0 != 0 }, as: UTF8.self)
            case UInt8(ascii: "x"): // pax header: `path=` names the next entry
                for record in String(decoding: content, as: UTF8.self).split(separator: "\n") {
                    if let range = record.range(of: " path=") { longName = String(record[range.upperBound...]) }
                }
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
                if name.hasSuffix("/") { break }
                let lower = name.lowercased()
                if [".yaml", ".yml", ".json"].contains(where: { lower.hasSuffix($0) }) {
                    try add(name, content, to: &files, total: &total, display: display)
                }
            case UInt8(ascii: "1"), UInt8(ascii: "2"):
                if name.hasSuffix("/") { name.removeLast() }
                if let path = entryPath(name) { links.insert(path) }
            default:
                break
            }
            offset += 512 + (size + 511) / 512 * 512
        }
        return (files, links)
    }
}
