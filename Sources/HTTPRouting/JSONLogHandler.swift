import JCS
import Logging

/// A swift-log handler for the server's event log (handler failures and other rare events): one
/// JSON object per line, `{"ts":"…","level":"error","logger":"…","msg":"…",…metadata}`, into a
/// `LogSink` — the same non-blocking writer as the access log, so an event never waits on a
/// slow journald either. The access log itself is rendered by `AccessLogLine` (a line per
/// response cannot afford swift-log's metadata dictionaries).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public let label: String
    private let sink: LogSink

    public init(label: String, sink: LogSink) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        sink.append(Self.line(level: event.level, label: label, message: event.message.description,
                              metadata: metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })))
    }

    /// The rendered line: the fixed members first, then the metadata by key (a key that would
    /// shadow a fixed member is left out).
    static func line(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> [UInt8] {
        var out: [UInt8] = Array(#"{"ts":""#.utf8)
        AccessLogLine.wallClock().withRFC3339 { out.append(contentsOf: $0) }
        out.append(contentsOf: #"","level":"#.utf8)
        JSONEscaping.appendString(level.rawValue, to: &out)
        out.append(contentsOf: #","logger":"#.utf8)
        JSONEscaping.appendString(label, to: &out)
        out.append(contentsOf: #","msg":"#.utf8)
        JSONEscaping.appendString(message, to: &out)
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) where !["ts", "level", "logger", "msg"].contains(key) {
            out.append(UInt8(ascii: ","))
            JSONEscaping.appendString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: json(value).text.utf8)
        }
        out.append(contentsOf: "}\n".utf8)
        return out
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
}
