import ComplianceTesting
import Foundation
import HTTPServer
import Testing

/// Streaming responses: back-pressure against a client that does not read, cancellation when it
/// goes away, HTTP/1.0 close-delimited framing.
@Suite(.serialized) struct StreamingTests {
    @Test("a client that stops reading pauses the producer (bounded memory) and is dropped at the write timeout")
    func stalledReader() async throws {
        let server = try TestServer.start()
        let client = try await RawHTTPClient.offload { () -> RawHTTPClient in
            let c = try server.client()
            c.setReceiveBuffer(16 * 1024)
            try c.send("GET /stream?chunks=4000 HTTP/1.1\r\nHost: t\r\n\r\n")   // 250 MiB if it were all produced
            return c
        }
        try await Task.sleep(for: .milliseconds(800))
        let produced = server.probe.streamed.load(ordering: .relaxed)
        // high-water mark (256 KiB) plus socket buffers: far below the 250 MiB body
        #expect(produced < 16 * 1024 * 1024, "produced \(produced) bytes for a client that reads nothing")
        #expect(await eventually(within: 10) { server.probe.wasCancelled }, "the producer was not stopped after the write timeout")
        #expect(await eventually(within: 5) { server.server.connectionCount == 0 })
        #expect(server.probe.streamed.load(ordering: .relaxed) < 16 * 1024 * 1024)
        _ = client
        await server.stop()
    }

    @Test("a client that disconnects mid-stream cancels the producer")
    func disconnect() async throws {
        let server = try TestServer.start()
        try await RawHTTPClient.offload {
            let c = try server.client()
            try c.send("GET /stream?chunks=100000 HTTP/1.1\r\nHost: t\r\n\r\n")
            _ = try c.readRaw(100_000)
        }
        #expect(await eventually(within: 10) { server.probe.wasCancelled })
        #expect(!server.probe.hasFinished)
        await server.stop()
    }

    @Test("export scale: 2 GiB to a fast client — every byte arrives, and what was produced never runs far ahead of what was received")
    func twoGiB() async throws {
        let server = try TestServer.start()
        let parts = 2048  // of 1 MiB
        let (total, tail, ahead) = try await RawHTTPClient.offload { () -> (Int, [UInt8], Int) in
            let c = try server.client()
            try c.send("GET /stream?mib=\(parts) HTTP/1.1\r\nHost: t\r\n\r\n")
            let head = try c.readHeadText()
            guard head.hasPrefix("HTTP/1.1 200 ") && head.contains("Transfer-Encoding: chunked") else {
                throw RawHTTPClient.Failure(description: "unexpected head: \(head)")
            }
            var ahead = 0
            let expected = (parts << 20) + parts * ("100000\r\n".utf8.count + 2) + 5
            let (total, tail) = try c.discard(expected) { received in
                ahead = max(ahead, server.probe.streamed.load(ordering: .relaxed) - received)
            }
            return (total, tail, ahead)
        }
        #expect(total >= parts << 20 && tail.suffix(5) == Array("0\r\n\r\n".utf8), "received \(total)")
        #expect(server.probe.streamed.load(ordering: .relaxed) == parts << 20 && server.probe.hasFinished)
        // The high-water mark (256 KiB), a part, and what the kernel's socket buffers hold.
        #expect(ahead < 32 << 20, "the producer ran \(ahead) bytes ahead of the client")
        await server.stop()
    }

    @Test("a complete stream is chunked in 1.1 and close-delimited in 1.0 (never chunked there)")
    func framing() async throws {
        let server = try TestServer.start()
        let r11 = try await RawHTTPClient.exchange(port: server.port, "GET /stream?chunks=3 HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(r11.header("Transfer-Encoding") == "chunked" && r11.body.count == 3 * 65_536)
        let raw10 = try await RawHTTPClient.offload { () -> String in
            let c = try server.client()
            try c.send("GET /stream?chunks=2 HTTP/1.0\r\n\r\n")
            return String(decoding: try c.readUntilClose(timeout: 5), as: UTF8.self)
        }
        #expect(!raw10.contains("Transfer-Encoding") && raw10.contains("Connection: close"))
        #expect(raw10.utf8.count > 2 * 65_536)
        await server.stop()
    }
}

/// Graceful shutdown: stop accepting, finish in-flight requests, close idle connections.
@Suite struct ShutdownTests {
    @Test("an in-flight request completes (with Connection: close) while idle connections are closed")
    func inFlight() async throws {
        let server = try TestServer.start()
        let idle = try await RawHTTPClient.offload { () -> RawHTTPClient in
            let c = try server.client()
            try c.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
            _ = try c.readResponse()
            return c
        }
        let handledBefore = server.probe.handled.load(ordering: .relaxed)
        async let slow = RawHTTPClient.exchange(port: server.port, "GET /slow?ms=1500 HTTP/1.1\r\nHost: t\r\n\r\n")
        // shut down only once the slow request is in the handler
        #expect(await eventually(within: 10) { server.probe.handled.load(ordering: .relaxed) > handledBefore })
        let stopping = Task { await server.stop() }
        let response = try await slow
        #expect(response.status == 200 && response.bodyText == "slow" && response.header("Connection") == "close")
        #expect(try await RawHTTPClient.offload { try idle.waitForClose(timeout: 2) })
        await stopping.value
        await #expect(throws: (any Error).self) { _ = try await RawHTTPClient.exchange(port: server.port, "GET /fast HTTP/1.1\r\nHost: t\r\n\r\n") }
    }
}
