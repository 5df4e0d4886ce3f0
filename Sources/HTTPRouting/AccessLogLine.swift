import Chronology
import Glibc
import HTTPServer
import JCS

/// One access-log line per response, rendered straight into bytes (no swift-log metadata
/// dictionaries, no intermediate strings): a JSON object on one line, numbers as numbers.
///
///     {"ts":"2026-12-02T11:30:00.123456Z","level":"info","logger":"access","msg":"request",
///      "method":"GET","target":"/health","route":"/health","status":200,"bytes":15,
///      "duration_us":87,"remote":"127.0.0.1:51234","request_id":"…"}
///
/// `ts` is when the response finished (RFC 3339 UTC, µs); `method` and `target` are absent for a
/// request the core refused before its head parsed; `route` is the route pattern it matched (the
/// label of its metrics: `unmatched`, `unparsed`); `bytes` counts body bytes sent; `duration_us`
/// runs from the request's first byte to its response's last; `remote` is the peer's
/// `address:port`; `request_id` is the `X-Request-Id` sent; `refusal` is present when the core
/// refused the request itself (its problem code).
public enum AccessLogLine {
    /// Appends the line for `record`, finished at `now`, to `out`.
    public static func render(_ record: HTTPResponseRecord, now: Timestamp, into out: inout [UInt8]) {
        literal(#"{"ts":""#, &out)
        now.withRFC3339 { out.append(contentsOf: $0) }
        literal(#"","level":"info","logger":"access","msg":"request""#, &out)
        if let method = record.method { string("method", method, &out) }
        if let target = record.target { string("target", target, &out) }
        if let route = record.routeLabel { string("route", route, &out) }
        number("status", Int64(record.status), &out)
        number("bytes", Int64(record.bodyBytes), &out)
        number("duration_us", Int64(clamping: record.durationNanoseconds / 1000), &out)
        string("remote", record.remoteAddress, &out)
        if let id = record.requestID { string("request_id", id, &out) }
        if let refusal = record.refusal { string("refusal", refusal, &out) }
        literal("}\n", &out)
    }

    /// The line that reports lines lost while the sink was stalled.
    static func dropNotice(count: Int) -> String {
        #"{"ts":""# + wallClock().rfc3339 + #"","level":"warning","logger":"access","msg":"access log lines dropped while the sink was stalled","dropped":"#
            + String(count) + "}\n"
    }

    /// The wall clock now (`CLOCK_REALTIME`, one vDSO call).
    public static func wallClock() -> Timestamp {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Timestamp(microsecondsSinceEpoch: Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec / 1000))
    }

    private static func literal(_ text: StaticString, _ out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private static func key(_ name: String, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: ","))
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: name.utf8)
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
    }

    private static func string(_ name: String, _ value: String, _ out: inout [UInt8]) {
        key(name, &out)
        JSONEscaping.appendString(value, to: &out)
    }

    private static func number(_ name: String, _ value: Int64, _ out: inout [UInt8]) {
        key(name, &out)
        out.append(contentsOf: String(value).utf8)
    }
}
