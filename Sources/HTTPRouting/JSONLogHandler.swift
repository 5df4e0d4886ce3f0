import Foundation
import JCS
import Logging

/// A swift-log handler writing one JSON object per line to stdout:
/// `{"level":"info","logger":"access","msg":"request","ts":"…",…metadata}`.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public let label: String
    private let output: LineOutput

    public init(label: String, output: LineOutput = .standardOutput) {
        self.label = label
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        write(level: event.level, message: event.message, metadata: event.metadata)
    }

    private func write(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?) {
        var members: [String: CanonicalJSON] = [
            "ts": .string(Self.timestamp()), "level": .string(level.rawValue), "logger": .string(label),
            "msg": .string(message.description),
        ]
        for (k, v) in metadata.merging(explicit ?? [:], uniquingKeysWith: { $1 }) where members[k] == nil {
            members[k] = Self.json(v)
        }
        output.write(CanonicalJSON.object(members).text + "\n")
    }

    static func json(_ value: Logger.Metadata.Value) -> CanonicalJSON {
        switch value {
        case .string(let s): return .string(s)
        case .stringConvertible(let c):
            if let i = c as? Int { return .integer(Int64(i)) }
            return .string(c.description)
        case .array(let a): return .array(a.map(json))
        case .dictionary(let d): return .object(d.mapValues(json))
        }
    }

    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var t = now.tv_sec
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }
}

/// Where log lines go: a file descriptor written with one `write(2)` per line (atomic for
/// lines under PIPE_BUF on pipes, so concurrent lines never interleave).
public struct LineOutput: Sendable {
    let descriptor: Int32
    public static let standardOutput = LineOutput(descriptor: 1)
    public static let standardError = LineOutput(descriptor: 2)

    public init(descriptor: Int32) { self.descriptor = descriptor }

    func write(_ line: String) {
        var text = line
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { return }
                offset += n
            }
        }
    }
}
