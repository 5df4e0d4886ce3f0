/// The header blocks of one regular file in a POSIX tar archive (IEEE Std 1003.1-2017, pax
/// "ustar Interchange Format" and "pax Interchange Format"), deterministic: mode 0644, owner and
/// group 0 with empty names, the given modification time — so the same files give the same
/// archive bytes. A name longer than ustar's 100 bytes (or not ASCII) or a size of 8 GiB and more
/// is carried by a pax extended header (`path`, `size`) before the ustar block.
public enum TarHeader {
    public static let blockSize = 512

    /// The blocks that precede `size` bytes of data named `name`.
    public static func blocks(name: String, size: Int64, modified: Int64) -> [UInt8] {
        var records: [(String, String)] = []
        let nameBytes = Array(name.utf8)
        let asciiName = nameBytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        if nameBytes.count > 100 || !asciiName { records.append(("path", name)) }
        let maxOctalSize: Int64 = 0o77777777777   // 11 octal digits
        if size > maxOctalSize { records.append(("size", String(size))) }
        var out: [UInt8] = []
        if !records.isEmpty {
            let body = paxBody(records)
            let shortName = asciiName ? String(decoding: nameBytes.suffix(80), as: UTF8.self) : "file"
            out += ustar(name: "PaxHeaders/" + shortName, size: Int64(body.count), modified: modified, type: UInt8(ascii: "x"))
            out += body + padding(Int64(body.count))
        }
        let ustarName = asciiName && nameBytes.count <= 100 ? name : String(decoding: nameBytes.prefix(100).filter { $0 >= 0x20 && $0 < 0x7F }, as: UTF8.self)
        out += ustar(name: ustarName, size: min(size, maxOctalSize), modified: modified, type: UInt8(ascii: "0"))
        return out
    }

    /// Zero bytes that fill `size` bytes of data up to a whole block.
    public static func padding(_ size: Int64) -> [UInt8] {
        let rest = Int(size % Int64(blockSize))
        return rest == 0 ? [] : [UInt8](repeating: 0, count: blockSize - rest)
    }

    /// The end of an archive: two zero blocks.
    public static let end = [UInt8](repeating: 0, count: 2 * blockSize)

    /// `"%d %s=%s\n"` records, each length counting itself (pax, "pax Header Block").
    static func paxBody(_ records: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = []
        for (key, value) in records {
            let payload = " \(key)=\(value)\n"
            var length = payload.utf8.count + 1
            while String(length).utf8.count + payload.utf8.count != length { length += 1 }
            out += Array((String(length) + payload).utf8)
        }
        return out
    }

    static func ustar(name: String, size: Int64, modified: Int64, type: UInt8) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: blockSize)
        func put(_ text: String, at offset: Int, width: Int) {
            for (i, b) in text.utf8.prefix(width).enumerated() { h[offset + i] = b }
        }
        func octal(_ value: Int64, at offset: Int, width: Int) {
            // width - 1 digits, zero-padded, then NUL.
            let digits = String(max(0, value), radix: 8)
            put(String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits, at: offset, width: width - 1)
        }
        put(name, at: 0, width: 100)
        octal(0o644, at: 100, width: 8)
        octal(0, at: 108, width: 8)
        octal(0, at: 116, width: 8)
        octal(size, at: 124, width: 12)
        octal(modified, at: 136, width: 12)
        h[156] = type
        put("ustar", at: 257, width: 6)   // "ustar" NUL
        put("00", at: 263, width: 2)
        octal(0, at: 329, width: 8)
        octal(0, at: 337, width: 8)
        // The checksum: the sum of the header's bytes with the checksum field as eight spaces,
        // six octal digits, NUL, space.
        for i in 148..<156 { h[i] = 0x20 }
        let sum = h.reduce(0) { $0 + Int64($1) }
        let digits = String(sum, radix: 8)
        put(String(repeating: "0", count: max(0, 6 - digits.count)) + digits, at: 148, width: 6)
        h[154] = 0
        h[155] = 0x20
        return h
    }
}
