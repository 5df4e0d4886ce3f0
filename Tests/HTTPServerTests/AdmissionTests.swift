@testable import HTTPServer
import ComplianceTesting
import Foundation
import Testing

/// Whom the server lets in when it is full: the pure decision, then live.
@Suite struct AdmissionTests {
    final class Key: Sendable {}
    static let keys = (0..<4).map { _ in Key() }
    static func id(_ k: Int) -> ObjectIdentifier { ObjectIdentifier(keys[k]) }
    static func candidate(_ k: Int, _ client: String, idle: Bool, since: UInt64) -> Admission.Candidate {
        Admission.Candidate(key: id(k), client: client, idle: idle, idleSince: since)
    }

    @Test("below the limit: admit; at it: the oldest idle connection makes room; none idle: wait")
    func serverLimit() {
        #expect(Admission.beforeAccept(total: 3, limit: 4, candidates: { [] }) == .admit)
        let some = [Self.candidate(0, "a", idle: true, since: 50), Self.candidate(1, "b", idle: false, since: 10),
                    Self.candidate(2, "a", idle: true, since: 20), Self.candidate(3, "c", idle: true, since: 30)]
        #expect(Admission.beforeAccept(total: 4, limit: 4, candidates: { some }) == .admitEvicting(Self.id(2)))
        let busy = (0..<4).map { Self.candidate($0, "a", idle: false, since: 0) }
        #expect(Admission.beforeAccept(total: 4, limit: 4, candidates: { busy }) == .wait)
    }

    @Test("per client: below its cap admit; at it, its own oldest idle connection makes room (never another client's); none idle: refuse")
    func clientLimit() {
        let some = [Self.candidate(0, "a", idle: true, since: 50), Self.candidate(1, "b", idle: true, since: 10),
                    Self.candidate(2, "a", idle: false, since: 20)]
        #expect(Admission.forClient(holding: 1, perClient: 2, client: "a", candidates: { some }) == .admit)
        #expect(Admission.forClient(holding: 2, perClient: 2, client: "a", candidates: { some }) == .admitEvicting(Self.id(0)))
        let busy = [Self.candidate(1, "b", idle: true, since: 10), Self.candidate(2, "a", idle: false, since: 20)]
        #expect(Admission.forClient(holding: 2, perClient: 2, client: "a", candidates: { busy }) == .refuse)
    }

    @Test("the client of an address: without its port")
    func clientAddress() {
        #expect(Socket.clientAddress("127.0.0.1:5000") == "127.0.0.1" && Socket.clientAddress("[::1]:80") == "[::1]")
    }
}

/// Admission on a live server.
@Suite(.serialized) struct LiveAdmissionTests {
    static func health(_ port: Int, source: String? = nil) async throws -> Int {
        try await RawHTTPClient.offload {
            let c = try RawHTTPClient(port: port, source: source)
            try c.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
            return try c.readResponse(timeout: 5).status
        }
    }

    @Test("a full server of idle connections admits a probe by closing the oldest idle one")
    func evictsOldestIdle() async throws {
        let server = try TestServer.start { $0.maxConnections = 4; $0.idleTimeout = .seconds(60) }
        let idle = try await RawHTTPClient.offload { () -> [RawHTTPClient] in
            var held: [RawHTTPClient] = []
            for _ in 0..<4 {
                let c = try server.client()
                try c.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
                _ = try c.readResponse()
                held.append(c)
                Thread.sleep(forTimeInterval: 0.02)
            }
            return held
        }
        #expect(await eventually(within: 5) { server.server.connectionCount == 4 })
        #expect(try await Self.health(server.port) == 200)
        let oldestClosed = try await RawHTTPClient.offload { try idle[0].waitForClose(timeout: 5) }
        #expect(oldestClosed)
        #expect(server.server.evicted.load(ordering: .relaxed) >= 1)
        await server.stop()
    }

    @Test("red team: idle connections reopened as fast as they close never keep /health out")
    func reopenFlood() async throws {
        let server = try TestServer.start { $0.maxConnections = 32; $0.idleTimeout = .seconds(60) }
        let stop = ManagedFlag()
        let flood = Thread {
            var held: [RawHTTPClient] = []
            let deadline = Date().addingTimeInterval(8)
            while !stop.isSet && Date() < deadline {
                if let c = try? RawHTTPClient(port: server.port) { held.append(c) }
                // Whatever the server closed is reopened.
                held.removeAll { (try? $0.waitForClose(timeout: 0.001)) == true }
                if held.count > 64 { held.removeFirst() }
            }
        }
        flood.start()
        try await Task.sleep(for: .milliseconds(500))
        var answered = 0
        for _ in 0..<8 {
            if (try? await Self.health(server.port)) == 200 { answered += 1 }
        }
        stop.set()
        #expect(answered == 8)
        await server.stop()
    }

    @Test("one client holds at most its share: above it its own idle connections make room, busy ones refuse it; other clients are unaffected")
    func perClient() async throws {
        let server = try TestServer.start { $0.maxConnections = 100; $0.maxConnectionsPerClient = 2; $0.idleTimeout = .seconds(60) }
        let busy = try await RawHTTPClient.offload { () -> [RawHTTPClient] in
            try (0..<2).map { _ in
                let c = try server.client()
                try c.send("GET /slow?ms=3000 HTTP/1.1\r\nHost: t\r\n\r\n")
                return c
            }
        }
        #expect(await eventually(within: 5) { server.probe.handled.load(ordering: .relaxed) == 2 })
        let refusedAtOnce = try await RawHTTPClient.offload { () -> Bool in
            let c = try server.client()
            return try c.waitForClose(timeout: 2)
        }
        #expect(refusedAtOnce && server.server.refused.load(ordering: .relaxed) == 1)
        #expect(try await Self.health(server.port, source: "127.0.0.2") == 200)
        _ = busy
        await server.stop()
    }
}

/// A flag one thread sets and another reads.
final class ManagedFlag: @unchecked Sendable {
    // @unchecked Sendable: `value` is read and written under `lock` only.
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
