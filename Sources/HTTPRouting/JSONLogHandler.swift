import Chronology
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

    /// Now, in the project's one RFC 3339 rendering (`Timestamp.rfc3339`: UTC, microseconds).
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Timestamp(microsecondsSinceEpoch: Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec / 1000)).rfc3339
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
