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
}
