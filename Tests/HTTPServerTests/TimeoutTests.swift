import ComplianceTesting
import Foundation
import HTTPServer
import Testing

/// Timeouts (configured short here: head 1 s, body 1 s, idle 1 s, write 1.5 s).
@Suite struct TimeoutTests {
    @Test("slowloris: a head dribbled one byte at a time is cut off at the header timeout, absolute from the first byte; others are served meanwhile")
    func slowHeaders() async throws {
        let server = try TestServer.start()
        async let slow: (Double, String) = RawHTTPClient.offload {
            let c = try server.client()
            let started = Date()
            try c.send("GET /fast HTTP/1.1\r\n")
            // Dribble for up to 8 s: a deadline reset per byte would never fire while this runs.
            var header = Array("Host: t\r\nX-Slow: ".utf8) + [UInt8](repeating: 0x61, count: 100)
            while !header.isEmpty, Date().timeIntervalSince(started) < 8 {
                if (try? c.send([header.removeFirst()])) == nil { break }
                if try c.waitForClose(timeout: 0.1) { break }
            }
            let answer = String(decoding: try c.readUntilClose(timeout: 5), as: UTF8.self)
            return (Date().timeIntervalSince(started), answer)
        }
        try await Task.sleep(for: .milliseconds(300))
        let served = try await RawHTTPClient.exchange(port: server.port, "GET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(served.status == 200)
        let (elapsed, answer) = try await slow
        #expect(answer.hasPrefix("HTTP/1.1 408 "))
        // 1 s configured; well under the 8 s of dribbling even on a loaded machine
        #expect(elapsed > 0.9 && elapsed < 5.0, "closed after \(elapsed) s")
        await server.stop()
    }

    @Test("an idle keep-alive connection is closed without a response")
    func idle() async throws {
        let server = try TestServer.start()
        let (bytes, elapsed) = try await RawHTTPClient.offload { () -> ([UInt8], Double) in
            let c = try server.client()
            try c.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
            _ = try c.readResponse()
            let started = Date()
            let rest = try c.readUntilClose(timeout: 8)
            return (rest, Date().timeIntervalSince(started))
        }
        #expect(bytes.isEmpty)
        #expect(elapsed > 0.8 && elapsed < 6, "closed after \(elapsed) s")
        await server.stop()
    }

    @Test("a body that stops arriving: 408 and close at the body timeout; the handler never sees it")
    func slowBody() async throws {
        let server = try TestServer.start()
        let before = server.probe.handled.load(ordering: .relaxed)
        let answer = try await RawHTTPClient.offload { () -> String in
            let c = try server.client()
            try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nhello")
            return String(decoding: try c.readUntilClose(timeout: 8), as: UTF8.self)
        }
        #expect(answer.hasPrefix("HTTP/1.1 408 "))
        #expect(server.probe.handled.load(ordering: .relaxed) == before)
        await server.stop()
    }

    @Test("RFC 9112 §6.3 (6): a short body followed by a half-close is never handed to the handler")
    func shortBodyHalfClose() async throws {
        let server = try TestServer.start()
        let before = server.probe.handled.load(ordering: .relaxed)
        let closed = try await RawHTTPClient.offload { () -> Bool in
            let c = try server.client()
            try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nhello")
            c.shutdownWrite()
            return try c.waitForClose(timeout: 8)
        }
        #expect(closed)
        #expect(server.probe.handled.load(ordering: .relaxed) == before)
        await server.stop()
    }
}
