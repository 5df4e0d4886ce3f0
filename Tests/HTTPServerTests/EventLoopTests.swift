import ComplianceTesting
import Foundation
import HTTPServer
import Testing

/// The loop's registrations are edge-triggered: a socket is reported once per arrival, so a
/// reader that stopped early would never hear of the rest.
@Suite struct EventLoopTests {
    @Test("a request and the client's FIN arriving together: answered, then closed at once (not at the idle timeout)")
    func requestWithFIN() async throws {
        let server = try TestServer.start { $0.idleTimeout = .seconds(30) }
        // 20 tries: the FIN must come in the same read as the request at least sometimes.
        let results = try await RawHTTPClient.offload { () -> [(String, Double)] in
            var results: [(String, Double)] = []
            for _ in 0..<20 {
                let c = try server.client()
                let started = Date()
                try c.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
                c.shutdownWrite()
                let answer = String(decoding: try c.readUntilClose(timeout: 3), as: UTF8.self)
                results.append((answer, Date().timeIntervalSince(started)))
                if results.last!.1 >= 3 { break }
            }
            return results
        }
        for (answer, elapsed) in results {
            // `Connection: close` too when the FIN was read with the request; else after the response
            #expect(answer.hasPrefix("HTTP/1.1 200 "))
            #expect(elapsed < 2.5, "closed after \(elapsed) s")
        }
        await server.stop()
    }

    @Test("1,000 pipelined requests sent at once (the per-connection limit): all answered in order, the last with close; the server lives on")
    func deepPipeline() async throws {
        let server = try TestServer.start { $0.idleTimeout = .seconds(30) }
        let text = try await RawHTTPClient.offload { () -> String in
            let c = try server.client()
            try c.send(String(repeating: "GET /fast HTTP/1.1\r\nHost: t\r\n\r\n", count: 1000))
            return String(decoding: try c.readUntilClose(timeout: 20), as: UTF8.self)
        }
        #expect(text.components(separatedBy: "HTTP/1.1 200 OK\r\n").count - 1 == 1000)
        #expect(text.components(separatedBy: "Connection: close\r\n").count - 1 == 1)
        #expect(text.hasSuffix("Connection: close\r\n\r\nfast"))
        let after = try await RawHTTPClient.exchange(port: server.port, "GET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(after.status == 200)
        await server.stop()
    }
}
