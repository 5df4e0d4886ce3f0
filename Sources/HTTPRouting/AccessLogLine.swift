import Chronology
import Glibc
import HTTP1
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
/// refused the request itself (its problem code). The README lists them for operators.
public enum AccessLogLine {
    /// Renders the line for `record`, finished at `now`, and hands its bytes to `body` (from
    /// stack memory; a line longer than 2 KiB, a long target, from a buffer of its size).
    public static func withLine<R>(_ record: borrowing HTTPResponseRecord, route: String, now: Timestamp,
                                   _ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2048) { buffer in
            var w = HeadWriter(buffer)
            write(record, route: route, now: now, into: &w)
            if w.fits { return body(UnsafeRawBufferPointer(w.written)) }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: w.count) { larger in
                var again = HeadWriter(larger)
                write(record, route: route, now: now, into: &again)
                return body(UnsafeRawBufferPointer(again.written))
            }
        }
    }

    /// The line as bytes (tests).
    public static func render(_ record: HTTPResponseRecord, route: String? = nil, now: Timestamp) -> [UInt8] {
        withLine(record, route: route ?? record.routeLabel ?? "", now: now) { Array($0) }
    }

    static func write(_ record: borrowing HTTPResponseRecord, route: String, now: Timestamp, into w: inout HeadWriter) {
        w.write(#"{"ts":""#)
        now.withRFC3339 { w.write($0.assumingMemoryBound(to: UInt8.self)) }
        w.write(#"","level":"info","logger":"access","msg":"request""#)
        if let method = record.method {
            w.write(#","method":"#)
            string(method, &w)
        }
        if let target = record.target {
            w.write(#","target":"#)
            string(target, &w)
        }
        w.write(#","route":"#)
        string(route, &w)
        w.write(#","status":"#)
        number(UInt64(clamping: record.status), &w)
        w.write(#","bytes":"#)
        number(UInt64(clamping: record.bodyBytes), &w)
        w.write(#","duration_us":"#)
        number(record.durationNanoseconds / 1000, &w)
        w.write(#","remote":"#)
        string(record.remoteAddress, &w)
        if let id = record.requestID {
            w.write(#","request_id":"#)
            string(id, &w)
        }
        if let refusal = record.refusal {
            w.write(#","refusal":"#)
            string(refusal, &w)
        }
        w.write("}\n")
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

    /// `s` as a JSON string (RFC 8259 §7), escaped as JCS escapes (RFC 8785 §3.2.2.2): `"`, `\`
    /// and control characters only (`\b`, `\f`, `\n`, `\r`, `\t` by name, others as `\u00XX`);
    /// everything else as its UTF-8 bytes.
    static func string(_ s: String, _ w: inout HeadWriter) {
        // A native string's bytes in place (no copy of the string to make it contiguous).
        if s.utf8.withContiguousStorageIfAvailable({ escaped($0, &w) }) == nil {
            var s = s
            s.withUTF8 { escaped($0, &w) }
        }
    }

    private static func escaped(_ bytes: UnsafeBufferPointer<UInt8>, _ w: inout HeadWriter) {
        JSONEscaping.appendString(utf8: UnsafeRawBufferPointer(bytes), to: &w)
    }

    /// `value` in decimal digits.
    static func number(_ value: UInt64, _ w: inout HeadWriter) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: UInt64.max has 20 digits
        withUnsafeMutableBytes(of: &digits) { raw in
            var v = value
            var k = raw.count
            repeat {
                k -= 1
                raw[k] = UInt8(truncatingIfNeeded: v % 10) + 0x30
                v /= 10
            } while v > 0
            w.write(UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[k...]))
        }
    }
}
