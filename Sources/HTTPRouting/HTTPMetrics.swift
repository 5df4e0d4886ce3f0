import Synchronization

/// Request counters and a latency histogram by route pattern, method and status, for
/// `http_requests_total` and `http_request_duration_seconds` (Prometheus text format 0.0.4).
/// Labels use the route pattern, never the raw path, so cardinality stays bounded.
public final class HTTPMetrics: Sendable {
    /// Upper bounds of the histogram buckets, in seconds.
    public static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    struct Key: Hashable, Sendable {
        let route: String
        let method: String
        let status: Int

        /// The status and the lengths only: routes and methods are few, so equal lengths are
        /// told apart by `==`, and a response is not charged for hashing two strings.
        func hash(into hasher: inout Hasher) {
            hasher.combine(status)
            hasher.combine(route.utf8.count &<< 8 | method.utf8.count)
        }
    }

    struct Series: Sendable {
        var count: UInt64 = 0
        var sum: Double = 0
        var buckets = [UInt64](repeating: 0, count: HTTPMetrics.buckets.count)

        mutating func record(_ seconds: Double, bucket: Int?) {
            count += 1
            sum += seconds
            if let bucket { buckets[bucket] += 1 }
        }
    }

    private let series = Mutex<[Key: Series]>([:])
    /// `buckets`, held by the instance: a read of the static array is a `swift_once` call.
    private let bounds = HTTPMetrics.buckets

    /// The access log, for its line and drop counters (nil: no access log).
    let accessLog: LogSink?
    /// Connections closed because their state machine met an event without a transition.
    private let connectionFailures = Atomic<Int>(0)

    public init(accessLog: LogSink? = nil) {
        self.accessLog = accessLog
    }

    public func observe(route: String, method: String, status: Int, seconds: Double) {
        let index = bucket(seconds)
        series.withLock { all in
            // One hash lookup, updated in place.
            all[Key(route: route, method: method, status: status), default: Series()].record(seconds, bucket: index)
        }
    }

    public func countConnectionFailure() {
        connectionFailures.add(1, ordering: .relaxed)
    }

    /// The first bucket whose bound holds `seconds`, nil above the last.
    func bucket(_ seconds: Double) -> Int? {
        bounds.firstIndex { seconds <= $0 }
    }

    /// The exposition lines (with HELP and TYPE), series in a stable order.
    public func render() -> String {
        let snapshot = series.withLock { $0 }.sorted { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }
        var out = "# HELP http_requests_total HTTP requests answered, by route pattern, method and status.\n# TYPE http_requests_total counter\n"
        for (key, s) in snapshot {
            out += "http_requests_total{\(labels(key))} \(s.count)\n"
        }
        out += "# HELP http_request_duration_seconds Time from the first byte of a request to the last byte of its response.\n"
        out += "# TYPE http_request_duration_seconds histogram\n"
        for (key, s) in snapshot {
            var cumulative: UInt64 = 0
            for (i, bound) in Self.buckets.enumerated() {
                cumulative += s.buckets[i]
                out += "http_request_duration_seconds_bucket{\(labels(key)),le=\"\(PrometheusText.number(bound))\"} \(cumulative)\n"
            }
            out += "http_request_duration_seconds_bucket{\(labels(key)),le=\"+Inf\"} \(s.count)\n"
            out += "http_request_duration_seconds_sum{\(labels(key))} \(PrometheusText.number(s.sum))\n"
            out += "http_request_duration_seconds_count{\(labels(key))} \(s.count)\n"
        }
        out += "# HELP http_connection_failures_total Connections closed because their state machine met an event it has no transition for (a bug).\n"
        out += "# TYPE http_connection_failures_total counter\nhttp_connection_failures_total \(connectionFailures.load(ordering: .relaxed))\n"
        if let accessLog {
            out += "# HELP http_access_log_lines_total Access-log lines written to the log's sink.\n# TYPE http_access_log_lines_total counter\n"
            out += "http_access_log_lines_total \(accessLog.written)\n"
            out += "# HELP http_access_log_dropped_total Log lines that never reached the sink (stdout): its buffer was full (stalled) or writing failed (write_failed).\n"
            out += "# TYPE http_access_log_dropped_total counter\n"
            out += "http_access_log_dropped_total{reason=\"stalled\"} \(accessLog.dropped)\n"
            out += "http_access_log_dropped_total{reason=\"write_failed\"} \(accessLog.failed)\n"
        }
        return out
    }

    private func labels(_ key: Key) -> String {
        "route=\"\(PrometheusText.escape(key.route))\",method=\"\(PrometheusText.escape(key.method))\",status=\"\(key.status)\""
    }
}

/// Prometheus text format 0.0.4 details: label escaping and number rendering.
public enum PrometheusText {
    /// Backslash, double quote and line feed are escaped in label values.
    public static func escape(_ value: String) -> String {
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    /// Integers without a fraction, others in Swift's shortest round-trip form.
    public static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }
}
