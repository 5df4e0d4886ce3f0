@testable import HTTPRouting
import Chronology
import ComplianceTesting
import Foundation
import HTTP1
import Logging
import Testing

/// The access-log line's fields and types, and the event log's lines.
@Suite struct AccessLogLineTests {
    static func parse(_ bytes: [UInt8]) throws -> [String: Any] {
        #expect(bytes.last == 0x0A && bytes.dropLast().allSatisfy { $0 != 0x0A }, "one line")
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test("every field, numbers as numbers, strings escaped")
    func everyField() throws {
        let record = HTTPResponseRecord(method: "GET", target: "/api/x?q=\"a\"\u{1}\\", status: 404, bodyBytes: 123,
                                        durationNanoseconds: 4_567_890, remoteAddress: "127.0.0.1:50000",
                                        requestID: "req-1", routeLabel: "unmatched", refusal: nil)
        let out = AccessLogLine.render(record, now: Timestamp(microsecondsSinceEpoch: 1_796_212_200_123_456))
        let line = try Self.parse(out)
        #expect(line["ts"] as? String == "2026-12-02T11:50:00.123456Z")
        #expect(line["level"] as? String == "info" && line["logger"] as? String == "access" && line["msg"] as? String == "request")
        #expect(line["method"] as? String == "GET" && line["target"] as? String == "/api/x?q=\"a\"\u{1}\\")
        #expect(line["route"] as? String == "unmatched" && line["remote"] as? String == "127.0.0.1:50000")
        #expect(line["request_id"] as? String == "req-1" && line["refusal"] == nil)
        #expect(line["status"] as? Int == 404 && line["bytes"] as? Int == 123 && line["duration_us"] as? Int == 4567)
        #expect(Set(line.keys) == ["ts", "level", "logger", "msg", "method", "target", "route", "status", "bytes", "duration_us",
                                   "remote", "request_id"])
        // The fixed order: ts first, so a line sorts by time with `sort`.
        #expect(String(decoding: out, as: UTF8.self).hasPrefix(#"{"ts":"2026-12-02T11:50:00.123456Z","level":"info","#))
    }

    @Test("a request the core refused before its head parsed: no method or target, the refusal named")
    func refused() throws {
        let record = HTTPResponseRecord(method: nil, target: nil, status: 431, bodyBytes: 0, durationNanoseconds: 999,
                                        remoteAddress: "[::1]:1", requestID: nil, routeLabel: "unparsed", refusal: "header_too_large")
        let out = AccessLogLine.render(record, route: "unparsed", now: AccessLogLine.wallClock())
        let line = try Self.parse(out)
        #expect(line["method"] == nil && line["target"] == nil && line["request_id"] == nil && line["route"] as? String == "unparsed")
        #expect(line["refusal"] as? String == "header_too_large" && line["status"] as? Int == 431 && line["duration_us"] as? Int == 0)
        let ts = try #require(line["ts"] as? String)
        #expect(ts.count == 27 && ts.hasSuffix("Z"))
    }

    @Test("the event log: fixed members first, metadata by key, never shadowing them")
    func eventLine() throws {
        let bytes = JSONLogHandler.line(level: .error, label: "immoflow", message: "handler \"failed\"",
                                        metadata: ["path": "/api/x", "msg": "shadow", "count": .stringConvertible(3),
                                                   "list": .array(["a"])])
        let line = try Self.parse(bytes)
        #expect(line["level"] as? String == "error" && line["logger"] as? String == "immoflow")
        #expect(line["msg"] as? String == "handler \"failed\"" && line["path"] as? String == "/api/x")
        #expect(line["count"] as? Int == 3 && line["list"] as? [String] == ["a"])
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""msg":"handler \"failed\"","count":3,"list":["a"],"path":"/api/x"}"#))
    }

    @Test("excluded paths are left out of the access log whatever their query; others are logged")
    func excluded() async throws {
        let (r, w) = try ClosingPipe.make()
        let sink = LogSink(descriptor: w)
        let application = Application(router: Router(), accessLog: sink, accessLogExcluded: ["/health/ready"])
        async let output = LogSinkTests.readToEnd(r)
        for target in ["/health/ready", "/health/ready?probe=1", "/health/readiness", "/health"] {
            application.didRespond(HTTPResponseRecord(method: "GET", target: target, status: 200, bodyBytes: 2, durationNanoseconds: 1,
                                                      remoteAddress: "127.0.0.1:1", requestID: nil, routeLabel: "/x", refusal: nil))
        }
        #expect(sink.close(timeout: .seconds(10)))
        close(w)
        let targets = try LogSinkTests.lines(try await output).map { try Self.parse(Array(($0 + "\n").utf8))["target"] as? String }
        #expect(targets == ["/health/readiness", "/health"])
    }

    @Test("a line longer than the loop's scratch memory (a long target) is logged whole; loops keep their lines apart")
    func longLines() async throws {
        let (r, w) = try ClosingPipe.make()
        let sink = LogSink(descriptor: w)
        let application = Application(router: Router(), accessLog: sink)
        async let output = LogSinkTests.readToEnd(r)
        let long = "/files/" + String(repeating: "a\u{1}", count: LineScratch.bytesPerSlot)
        let targets = ["/short", long, "/after-long", "/loop-1"]
        for (i, target) in targets.enumerated() {
            application.didRespond(HTTPResponseRecord(method: "GET", target: target, status: 200, bodyBytes: 2, durationNanoseconds: 1,
                                                      remoteAddress: "127.0.0.1:1", requestID: nil, routeLabel: "/x", refusal: nil,
                                                      loop: i == 3 ? 1 : 0))
        }
        #expect(sink.close(timeout: .seconds(10)))
        close(w)
        let logged = try LogSinkTests.lines(try await output).map { try Self.parse(Array(($0 + "\n").utf8))["target"] as? String }
        #expect(Set(logged.compactMap { $0 }) == Set(targets) && logged.count == 4)
        #expect(logged.filter { $0 != "/loop-1" } == ["/short", long, "/after-long"], "one loop's lines in order")
    }
}
