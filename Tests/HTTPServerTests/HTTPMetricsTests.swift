@testable import HTTPRouting
import ComplianceTesting
import Glibc
import Testing

@Suite struct HTTPMetricsTests {
    @Test("a duration falls into the first bucket whose bound holds it; above the last into none")
    func buckets() {
        let metrics = HTTPMetrics()
        for (i, bound) in HTTPMetrics.buckets.enumerated() {
            #expect(metrics.bucket(bound) == i)
            #expect(metrics.bucket(bound.nextDown) == i)
            #expect(metrics.bucket(bound.nextUp) == (i + 1 < HTTPMetrics.buckets.count ? i + 1 : nil))
        }
        #expect(metrics.bucket(0) == 0 && metrics.bucket(-1) == 0 && metrics.bucket(.infinity) == nil && metrics.bucket(.nan) == nil)
    }

    @Test("series whose labels have the same lengths stay apart")
    func sameLengths() {
        let metrics = HTTPMetrics()
        metrics.observe(route: "/a", method: "GET", status: 200, seconds: 0.0001)
        metrics.observe(route: "/b", method: "GET", status: 200, seconds: 0.002)
        metrics.observe(route: "/b", method: "GET", status: 200, seconds: 20)
        metrics.observe(route: "/b", method: "PUT", status: 200, seconds: 0.0001)
        metrics.observe(route: "/b", method: "PUT", status: 201, seconds: 0.0001)
        let text = metrics.render()
        #expect(text.contains("http_requests_total{route=\"/a\",method=\"GET\",status=\"200\"} 1\n"))
        #expect(text.contains("http_requests_total{route=\"/b\",method=\"GET\",status=\"200\"} 2\n"))
        #expect(text.contains("http_requests_total{route=\"/b\",method=\"PUT\",status=\"200\"} 1\n"))
        #expect(text.contains("http_requests_total{route=\"/b\",method=\"PUT\",status=\"201\"} 1\n"))
        #expect(text.contains("http_request_duration_seconds_bucket{route=\"/b\",method=\"GET\",status=\"200\",le=\"0.001\"} 0\n"))
        #expect(text.contains("http_request_duration_seconds_bucket{route=\"/b\",method=\"GET\",status=\"200\",le=\"0.0025\"} 1\n"))
        #expect(text.contains("http_request_duration_seconds_bucket{route=\"/b\",method=\"GET\",status=\"200\",le=\"10\"} 1\n"))
        #expect(text.contains("http_request_duration_seconds_bucket{route=\"/b\",method=\"GET\",status=\"200\",le=\"+Inf\"} 2\n"))
    }
}

@Suite struct HTTPMetricsAccessLogTests {
    @Test("with an access log, its written and dropped lines are exposed; without, nothing about it")
    func accessLogCounters() async throws {
        #expect(!HTTPMetrics().render().contains("http_access_log"))
        let (r, w) = try ClosingPipe.make()
        let sink = LogSink(descriptor: w)
        async let output = LogSinkTests.readToEnd(r)
        for n in 0..<3 { sink.append(Array("line \(n)\n".utf8), slot: 0) }
        #expect(sink.close(timeout: .seconds(10)))
        sink.append(Array("late\n".utf8), slot: 0)
        close(w)
        #expect(LogSinkTests.lines(try await output) == ["line 0", "line 1", "line 2"])
        let text = HTTPMetrics(accessLog: sink).render()
        #expect(text.contains("\nhttp_access_log_lines_total 3\n"))
        #expect(text.contains("\nhttp_access_log_dropped_total{reason=\"stalled\"} 1\n"))
        #expect(text.contains("\nhttp_access_log_dropped_total{reason=\"write_failed\"} 0\n"))
    }
}
