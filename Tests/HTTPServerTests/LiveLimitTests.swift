import ComplianceTesting
import Foundation
import HTTPServer
import Testing

/// Every limit and refusal status on the wire, each followed by Connection: close and a close.
@Suite struct LiveLimitTests {
    @Test("limit and framing statuses on the wire", arguments: [
        ("GET /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\nHost: t\r\n\r\n", 414),
        ("GET /fast HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "b", count: 9000))\r\n\r\n", 431),
        ("GET /fast HTTP/1.1\r\nHost: t\r\n\((0..<101).map { "X-\($0): v\r\n" }.joined())\r\n", 431),
        ("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1048577\r\n\r\n", 413),
        ("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        ("GET /fast HTTP/2.0\r\nHost: t\r\n\r\n", 505),
        ("GET /fast HTTP/1.1\r\n\r\n", 400),
        ("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("GET /fast HTTP/1.1\r\nHost: t\r\nExpect: tea\r\n\r\n", 417),
        ("GET /fast HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n", 400),
    ])
    func statuses(request: String, status: Int) async throws {
        let server = try TestServer.start()
        let (r, closed) = try await RawHTTPClient.offload { () -> (RawHTTPClient.Response, Bool) in
            let c = try server.client()
            try c.send(request)
            let r = try c.readResponse()
            return (r, try c.waitForClose(timeout: 10))
        }
        #expect(r.status == status)
        #expect(r.header("Connection") == "close")
        #expect(r.header("Content-Type") == "application/problem+json")
        #expect(closed)
        await server.stop()
    }

    @Test("a chunked body over the route's limit is cut at 413 while decoding; a route may allow more")
    func chunkedBodyLimit() async throws {
        let server = try TestServer.start()
        let chunk = String(repeating: "z", count: 0x10000)
        let body = (0..<17).map { _ in "10000\r\n\(chunk)\r\n" }.joined() + "0\r\n\r\n"
        let refused = try await RawHTTPClient.exchange(port: server.port, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n\(body)")
        #expect(refused.status == 413)
        let allowed = try await RawHTTPClient.exchange(port: server.port, "POST /big-upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n\(body)")
        #expect(allowed.status == 200 && allowed.bodyText == String(17 * 0x10000))
        await server.stop()
    }

    @Test("a client that keeps sending after a 413 still reads the 413 (lingering close, no RST first)")
    func lingeringClose() async throws {
        let server = try TestServer.start()
        let r = try await RawHTTPClient.offload { () -> RawHTTPClient.Response in
            let c = try server.client()
            try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2000000\r\n\r\n")
            // keep sending part of the body the server will never read
            for _ in 0..<8 { try? c.send([UInt8](repeating: 0x61, count: 32 * 1024)) }
            return try c.readResponse()
        }
        #expect(r.status == 413)
        await server.stop()
    }

    @Test("after 10,000 malformed requests the open file descriptors are back where they started")
    func noDescriptorLeak() async throws {
        let server = try TestServer.start()
        _ = try await RawHTTPClient.exchange(port: server.port, "GET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
        try await Task.sleep(for: .milliseconds(200))
        let before = OpenFiles.count()
        let malformed = ["GET / HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n",
                         "\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\u{01}\u{fc}\u{03}\u{03}\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n"]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    try await RawHTTPClient.offload {
                        for i in 0..<2_500 {
                            let c = try server.client()
                            try c.send(malformed[(i + worker) % malformed.count])
                            _ = try c.readUntilClose(timeout: 5)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(await eventually(within: 10) { OpenFiles.count() <= before },
                "descriptors before \(before), after \(OpenFiles.count())")
        #expect(await eventually(within: 10) { server.server.connectionCount == 0 })
        await server.stop()
    }
}
