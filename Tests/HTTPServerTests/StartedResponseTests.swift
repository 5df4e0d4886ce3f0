import ComplianceTesting
import Foundation
import HTTPServer
import Testing

/// Responses started without a Swift task (`HTTPResponder.startResponse`), replied from another
/// thread: ordering, fallback, failure, and a client that leaves before the reply.
@Suite struct StartedResponseTests {
    @Test("RFC 9112 §9.3.2: a reply from another thread is written in request order among pipelined requests")
    func pipelinedOrder() async throws {
        let server = try TestServer.start()
        let bodies = try await RawHTTPClient.offload { () -> [String] in
            let c = try server.client()
            try c.send("GET /started?ms=200 HTTP/1.1\r\nHost: t\r\n\r\nGET /fast HTTP/1.1\r\nHost: t\r\n\r\nGET /started?ms=0 HTTP/1.1\r\nHost: t\r\n\r\n")
            return try (0..<3).map { _ in try c.readResponse().bodyText }
        }
        #expect(bodies == ["started", "fast", "started"])
        await server.stop()
    }

    @Test("a started route that declines is answered by its handler; a failed reply is a 500 problem with the request id")
    func declineAndFailure() async throws {
        let server = try TestServer.start()
        try await RawHTTPClient.offload {
            let c = try server.client()
            try c.send("GET /started?decline HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try c.readResponse().bodyText == "fallback")
            try c.send("GET /started?fail HTTP/1.1\r\nHost: t\r\nX-Request-Id: abc-1\r\n\r\n")
            let failed = try c.readResponse()
            #expect(failed.status == 500)
            #expect(failed.header("Content-Type") == "application/problem+json")
            #expect(failed.header("X-Request-Id") == "abc-1")
            // The connection lives on.
            try c.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try c.readResponse().status == 200)
        }
        await server.stop()
    }

    @Test("a reply that arrives after the client left is dropped; the server serves on")
    func clientLeftBeforeReply() async throws {
        let server = try TestServer.start()
        try await RawHTTPClient.offload {
            let c = try server.client()
            try c.send("GET /started?ms=300 HTTP/1.1\r\nHost: t\r\n\r\n")
        }   // the client's descriptor closes here, before the reply
        #expect(await eventually(within: 3) { server.probe.startedReplies.load(ordering: .relaxed) == 1 })
        try await Task.sleep(for: .milliseconds(100))
        let status = try await RawHTTPClient.offload { () -> Int in
            let c = try server.client()
            try c.send("GET /started?ms=10 HTTP/1.1\r\nHost: t\r\n\r\n")
            return try c.readResponse().status
        }
        #expect(status == 200)
        #expect(await eventually(within: 3) { server.server.connectionCount == 0 })
        await server.stop()
    }
}
