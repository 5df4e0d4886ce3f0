/// Reads a POSIX tar archive as a stream (IEEE Std 1003.1-2017, ustar and pax): each member's
/// header, then its data in pieces, then its end; a pax extended header's `path` and `size`
/// apply to the member after it. Only what a package holds is accepted — regular files with
/// plain names — and everything else is refused with a reason: links, directories, devices,
/// global pax headers, a header whose checksum is wrong, a name with a directory or `..`, an
/// archive that stops inside a member or without its two zero blocks.
public struct TarReader: Sendable {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { "tar: \(message)" }
    }

    public enum Event {
        case begin(name: String, size: Int64)
        case data(UnsafeRawBufferPointer)
        case end
    }

    enum State: Sendable { case header, pax(remaining: Int64, padding: Int), data(remaining: Int64, padding: Int), padding(Int), finished }

    private var state = State.header
    private var block: [UInt8] = []
    private var paxBody: [UInt8] = []
    private var pending: (path: String?, size: Int64?) = (nil, nil)
    private var zeroBlocks = 0
    public private(set) var finished = false

    public init() {}

    /// Feeds `bytes`; `event` receives begins, data pieces and ends in order.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ event: (Event) throws -> Void) throws {
        var at = 0
        while at < bytes.count {
            switch state {
            case .finished:
                // After the end marker only zero padding may follow (GNU tar pads to 10 KiB records).
                if bytes[at...].contains(where: { $0 != 0 }) { throw Failure(message: "data after the end of the archive") }
                return
            case .header:
                let take = min(512 - block.count, bytes.count - at)
                block += UnsafeRawBufferPointer(rebasing: bytes[at..<(at + take)])
                at += take
                if block.count == 512 {
                    try header(event)
                    block.removeAll(keepingCapacity: true)
                }
            case .pax(let remaining, let padding):
                let take = Int(min(remaining, Int64(bytes.count - at)))
                paxBody += UnsafeRawBufferPointer(rebasing: bytes[at..<(at + take)])
                at += take
                if remaining - Int64(take) == 0 {
                    try applyPax()
                    state = padding > 0 ? .padding(padding) : .header
                } else {
                    state = .pax(remaining: remaining - Int64(take), padding: padding)
                }
            case .data(let remaining, let padding):
                let take = Int(min(remaining, Int64(bytes.count - at)))
                if take > 0 { try event(.data(UnsafeRawBufferPointer(rebasing: bytes[at..<(at + take)]))) }
                at += take
                if remaining - Int64(take) == 0 {
                    try event(.end)
                    state = padding > 0 ? .padding(padding) : .header
                } else {
                    state = .data(remaining: remaining - Int64(take), padding: padding)
                }
            case .padding(let n):
                let take = min(n, bytes.count - at)
                at += take
                state = n - take == 0 ? .header : .padding(n - take)
            }
        }
    }

    /// Throws when the archive ended inside a member or without its end marker.
    public func finish() throws(Failure) {
        guard finished else { throw Failure(message: "the archive ends early (no end-of-archive blocks)") }
    }

    private mutating func header(_ event: (Event) throws -> Void) throws {
        if block.allSatisfy({ $0 == 0 }) {
            zeroBlocks += 1
            if zeroBlocks == 2 {
                finished = true
                state = .finished
            }
            return
        }
        guard zeroBlocks == 0 else { throw Failure(message: "a zero block inside the archive") }
        let stored = Self.octal(block[148..<156])
        var sum: Int64 = 0
        for (i, b) in block.enumerated() { sum += (148..<156).contains(i) ? 32 : Int64(b) }
        guard stored == sum else { throw Failure(message: "a header with a wrong checksum") }
        guard block[257..<262].elementsEqual(Array("ustar".utf8)) else { throw Failure(message: "not a ustar header") }
        guard let size = pending.size ?? Self.octal(block[124..<136]), size >= 0 else { throw Failure(message: "a header with an unreadable size") }
        let padding = Int((512 - size % 512) % 512)
        switch block[156] {
        case UInt8(ascii: "x"):
            guard size <= 1 << 20 else { throw Failure(message: "a pax header of \(size) bytes") }
            paxBody.removeAll()
            state = size == 0 ? .header : .pax(remaining: size, padding: padding)
            pending.size = nil
        case UInt8(ascii: "0"), 0:
            var name = pending.path ?? Self.string(block[0..<100])
            let prefix = Self.string(block[345..<500])
            if pending.path == nil && !prefix.isEmpty { name = prefix + "/" + name }
            pending = (nil, nil)
            guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
                throw Failure(message: "a member named \"\(name)\" (a package holds plain file names only)")
            }
            try event(.begin(name: name, size: size))
            if size == 0 {
                try event(.end)
                state = .header
            } else {
                state = .data(remaining: size, padding: padding)
            }
        default:
            throw Failure(message: "a member of type '\(String(UnicodeScalar(block[156])))' (only regular files belong in a package)")
        }
    }

    /// `"%d %s=%s\n"` records (pax "pax Header Block"): `path` and `size` are kept.
    private mutating func applyPax() throws {
        var at = 0
        let b = paxBody
        while at < b.count {
            guard let space = b[at...].firstIndex(of: 0x20), let length = Int(String(decoding: b[at..<space], as: UTF8.self)),
                  length > 0, at + length <= b.count, b[at + length - 1] == 0x0A,
                  let equals = b[(space + 1)..<(at + length)].firstIndex(of: UInt8(ascii: "=")) else {
                throw Failure(message: "a malformed pax record")
            }
            let key = String(decoding: b[(space + 1)..<equals], as: UTF8.self)
            let value = String(decoding: b[(equals + 1)..<(at + length - 1)], as: UTF8.self)
            switch key {
            case "path": pending.path = value
            case "size":
                guard let n = Int64(value), n >= 0 else { throw Failure(message: "a pax size \"\(value)\"") }
                pending.size = n
            default: break
            }
            at += length
        }
    }

    static func octal(_ field: ArraySlice<UInt8>) -> Int64? {
        var value: Int64 = 0
        var digits = 0
        for b in field {
            if b == 0 || b == 0x20 {
                if digits > 0 { break } else { continue }
            }
            guard b >= 0x30 && b <= 0x37 else { return nil }
            value = value * 8 + Int64(b - 0x30)
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    static func string(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }
}
