@testable import HTTPRouting
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
