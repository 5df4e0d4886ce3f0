import ComplianceTesting
import Foundation
import HTTPServer
import Testing

/// Connection behaviour against a live server on 127.0.0.1:0 with a raw-bytes client.
@Suite struct LiveConnectionTests {
    @Test("RFC 9112 §9.3: keep-alive serves several requests on one connection")
    func keepAlive() async throws {
        let server = try TestServer.start()
        let statuses = try await RawHTTPClient.offload { () -> [Int] in
            let c = try server.client()
            var statuses: [Int] = []
            for _ in 0..<3 {
                try c.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
                let r = try c.readResponse()
                statuses.append(r.status)
                #expect(r.header("Connection") == nil)
            }
            return statuses
        }
        #expect(statuses == [200, 200, 200])
        await server.stop()
    }

    @Test("RFC 9112 §9.3.2: pipelined responses come in request order, even when the first is slow")
    func pipelining() async throws {
        let server = try TestServer.start()
        let bodies = try await RawHTTPClient.offload { () -> [String] in
            let c = try server.client()
            try c.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\nGET /fast HTTP/1.1\r\nHost: t\r\n\r\nGET /health HTTP/1.1\r\nHost: t\r\n\r\n")
            return try (0..<3).map { _ in try c.readResponse().bodyText }
        }
        #expect(bodies == ["slow", "fast", #"{"status":"ok"}"#])
        await server.stop()
    }

    @Test("RFC 9112 §9.3: HTTP/1.0 closes after the response unless keep-alive is asked for")
    func http10() async throws {
        let server = try TestServer.start()
        let (closed, keptOpen) = try await RawHTTPClient.offload { () -> (Bool, Bool) in
            let a = try server.client()
            try a.send("GET /health HTTP/1.0\r\n\r\n")
            let r = try a.readResponse()
            #expect(r.status == 200 && r.header("Connection") == "close")
            let closed = try a.waitForClose(timeout: 2)
            let b = try server.client()
            try b.send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            _ = try b.readResponse()
            try b.send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            return (closed, try b.readResponse().status == 200)
        }
        #expect(closed && keptOpen)
        await server.stop()
    }

    @Test("RFC 9110 §10.1.1: 100 Continue before the body; 413 at once (no 100) when the body is too large")
    func expectContinue() async throws {
        let server = try TestServer.start()
        try await RawHTTPClient.offload {
            let c = try server.client()
            try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
            #expect(try c.readRaw(25) == "HTTP/1.1 100 Continue\r\n\r\n")
            try c.send("hallo")
            let r = try c.readResponse()
            #expect(r.status == 200 && r.bodyText == "hallo")

            let d = try server.client()
            try d.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2000000\r\n\r\n")
            let refused = try d.readResponse()
            #expect(refused.status == 413 && refused.header("Connection") == "close")
            #expect(refused.header("Content-Type") == "application/problem+json")

            // HTTP/1.0: the expectation is ignored, no 100
            let e = try server.client()
            try e.send("POST /echo HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
            try e.send("ok")
            #expect(try e.readResponse().status == 200)
        }
        await server.stop()
    }

    @Test("RFC 9112 §7.1: a chunked request body is decoded; trailers stay apart")
    func chunkedRequest() async throws {
        let server = try TestServer.start()
        let r = try await RawHTTPClient.exchange(port: server.port,
            "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nX-T: 1\r\n\r\n")
        #expect(r.status == 200 && r.bodyText == "hello world")
        await server.stop()
    }

    @Test("RFC 9110 §9.3.2: HEAD has GET's headers and no body; a pipelined GET after it parses cleanly")
    func head() async throws {
        let server = try TestServer.start()
        try await RawHTTPClient.offload {
            let c = try server.client()
            try c.send("HEAD /health HTTP/1.1\r\nHost: t\r\n\r\nGET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
            let h = try c.readResponse(head: true)
            #expect(h.status == 200 && h.header("Content-Length") == "15" && h.body.isEmpty)
            let g = try c.readResponse()
            #expect(g.status == 200 && g.bodyText == "fast")
        }
        await server.stop()
    }

    @Test("after a framing error: one 400 with Connection: close, then close; the next pipelined request is never handled")
    func pipelineAfterError() async throws {
        let server = try TestServer.start()
        let before = server.probe.handled.load(ordering: .relaxed)
        try await RawHTTPClient.offload {
            let c = try server.client()
            try c.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\nGET /fast HTTP/1.1\r\nHost: t\r\nContent-Length: +1\r\n\r\nGET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try c.readResponse().status == 200)
            let bad = try c.readResponse()
            #expect(bad.status == 400 && bad.header("Connection") == "close")
            #expect(bad.bodyText.contains("invalid_content_length"))
            #expect(try c.waitForClose(timeout: 3))
        }
        #expect(server.probe.handled.load(ordering: .relaxed) - before == 1)
        await server.stop()
    }

    @Test("`Connection: close` in the request: the response says so and nothing after it is processed")
    func connectionClose() async throws {
        let server = try TestServer.start()
        let before = server.probe.handled.load(ordering: .relaxed)
        try await RawHTTPClient.offload {
            let c = try server.client()
            try c.send("GET /fast HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
            let r = try c.readResponse()
            #expect(r.header("Connection") == "close")
            #expect(try c.waitForClose(timeout: 2))
        }
        #expect(server.probe.handled.load(ordering: .relaxed) - before == 1)
        await server.stop()
    }

    @Test("the last request allowed on a connection carries Connection: close")
    func maxRequests() async throws {
        let server = try TestServer.start { $0.maxRequestsPerConnection = 3 }
        try await RawHTTPClient.offload {
            let c = try server.client()
            for i in 1...3 {
                try c.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
                let r = try c.readResponse()
                #expect((r.header("Connection") == "close") == (i == 3))
            }
            #expect(try c.waitForClose(timeout: 2))
        }
        await server.stop()
    }

    @Test("a failing handler is a 500 problem; the connection and the server live on")
    func handlerFailure() async throws {
        let server = try TestServer.start()
        try await RawHTTPClient.offload {
            let c = try server.client()
            try c.send("GET /fail HTTP/1.1\r\nHost: t\r\n\r\n")
            let r = try c.readResponse()
            #expect(r.status == 500 && r.header("Content-Type") == "application/problem+json")
            try c.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try c.readResponse().status == 200)
        }
        await server.stop()
    }

    @Test("routing: path parameters, 404, 405 with Allow, OPTIONS, unknown method 501, X-Request-Id taken or made")
    func routing() async throws {
        let server = try TestServer.start()
        let p = server.port
        #expect(try await RawHTTPClient.exchange(port: p, "GET /items/42 HTTP/1.1\r\nHost: t\r\n\r\n").bodyText == "42")
        let missing = try await RawHTTPClient.exchange(port: p, "GET /nothing HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(missing.status == 404 && missing.header("Content-Type") == "application/problem+json")
        let wrong = try await RawHTTPClient.exchange(port: p, "DELETE /health HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(wrong.status == 405 && wrong.header("Allow") == "GET, HEAD, OPTIONS")
        let trace = try await RawHTTPClient.exchange(port: p, "TRACE /health HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(trace.status == 405)
        let options = try await RawHTTPClient.exchange(port: p, "OPTIONS /echo HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(options.status == 204 && options.header("Allow") == "POST, OPTIONS")
        let lower = try await RawHTTPClient.exchange(port: p, "get /health HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(lower.status == 501)
        let id = try await RawHTTPClient.exchange(port: p, "GET /fast HTTP/1.1\r\nHost: t\r\nX-Request-Id: abc-123\r\n\r\n")
        #expect(id.header("X-Request-Id") == "abc-123")
        let made = try await RawHTTPClient.exchange(port: p, "GET /fast HTTP/1.1\r\nHost: t\r\nX-Request-Id: no spaces allowed\r\n\r\n")
        #expect(made.header("X-Request-Id")?.count == 32)
        #expect(made.header("Date")?.hasSuffix(" GMT") == true)
        await server.stop()
    }

    @Test("canonical paths only: an empty segment or a trailing slash is 404, not the resource; a parameter is never empty")
    func canonicalPaths() async throws {
        let server = try TestServer.start()
        let p = server.port
        for path in ["//fast", "/fast/", "/fast//", "//items/1", "/items/1/", "/items/", "/items//"] {
            let r = try await RawHTTPClient.exchange(port: p, "GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(r.status == 404, "\(path): \(r.status)")
        }
        #expect(try await RawHTTPClient.exchange(port: p, "GET /fast HTTP/1.1\r\nHost: t\r\n\r\n").status == 200)
        #expect(server.probe.handled.load(ordering: .relaxed) == 1)
        await server.stop()
    }

    @Test("RFC 9110 §9.3.7: OPTIONS * lists the methods some route has, not every method there is")
    func optionsAsterisk() async throws {
        let server = try TestServer.start()
        let r = try await RawHTTPClient.exchange(port: server.port, "OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(r.status == 204 && r.header("Allow") == "GET, HEAD, POST, OPTIONS")
        await server.stop()
    }

    @Test("a request followed by the client's half-close is answered, whichever way its route answers, and the connection then closes",
          arguments: ["/fast", "/slow?ms=50", "/started?ms=50", "/stream?chunks=2"])
    func halfClose(path: String) async throws {
        let server = try TestServer.start()
        let (closed, raw) = try await RawHTTPClient.offload { () -> (Bool, String) in
            let c = try server.client()
            try c.send("GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n")
            c.shutdownWrite()
            let closed = try c.waitForClose(timeout: 5)
            return (closed, String(decoding: try c.readUntilClose(timeout: 0.01), as: UTF8.self))
        }
        #expect(closed && raw.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(path): \(raw.prefix(200))")
        // A response begun after the FIN was seen says it closes (one begun at once may be out before).
        if path.contains("ms=") { #expect(raw.contains("Connection: close\r\n"), "\(path): \(raw.prefix(200))") }
        await server.stop()
    }

    @Test("CORS: allowed origins get the fields and a preflight; others do not")
    func cors() async throws {
        let server = try TestServer.start()
        let p = server.port
        let simple = try await RawHTTPClient.exchange(port: p, "GET /fast HTTP/1.1\r\nHost: t\r\nOrigin: https://dashboard.example\r\n\r\n")
        #expect(simple.header("Access-Control-Allow-Origin") == "https://dashboard.example")
        #expect(simple.header("Vary") == "Origin")
        let stranger = try await RawHTTPClient.exchange(port: p, "GET /fast HTTP/1.1\r\nHost: t\r\nOrigin: https://evil.example\r\n\r\n")
        #expect(stranger.header("Access-Control-Allow-Origin") == nil)
        let preflight = try await RawHTTPClient.exchange(port: p, "OPTIONS /echo HTTP/1.1\r\nHost: t\r\nOrigin: https://dashboard.example\r\n"
            + "Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: authorization, content-type\r\n\r\n")
        #expect(preflight.status == 204 && preflight.header("Access-Control-Allow-Methods") == "POST, OPTIONS")
        #expect(preflight.header("Access-Control-Allow-Headers")?.contains("Authorization") == true)
        let denied = try await RawHTTPClient.exchange(port: p, "OPTIONS /echo HTTP/1.1\r\nHost: t\r\nOrigin: https://evil.example\r\n"
            + "Access-Control-Request-Method: POST\r\n\r\n")
        #expect(denied.status == 403 && denied.header("Access-Control-Allow-Origin") == nil)
        await server.stop()
    }
}
