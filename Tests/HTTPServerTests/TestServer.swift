import ComplianceTesting
import Foundation
import HTTP1
import HTTPRouting
import HTTPServer
import Synchronization

/// What the test routes saw, shared with the tests.
final class Probe: Sendable {
    let handled = Atomic<Int>(0)
    let streamed = Atomic<Int>(0)
    let streamCancelled = Atomic<Bool>(false)
    let streamFinished = Atomic<Bool>(false)
    let lastBody = Mutex<[UInt8]>([])
    /// Replies of `/started` handed to the server (also those it dropped).
    let startedReplies = Atomic<Int>(0)

    var wasCancelled: Bool { streamCancelled.load(ordering: .relaxed) }
    var hasFinished: Bool { streamFinished.load(ordering: .relaxed) }
}

/// A live server on 127.0.0.1:0 with test routes and short timeouts.
struct TestServer {
    let server: HTTPServer
    let application: Application
    let probe: Probe
    var port: Int { server.port }

    static func start(configure: (inout HTTPServerConfiguration) -> Void = { _ in }) throws -> TestServer {
        let probe = Probe()
        var router = Router()
        router.add("GET", "/health") { _ in
            probe.handled.add(1, ordering: .relaxed)
            return HTTPResponse(status: 200, contentType: "application/json", body: Array(#"{"status":"ok"}"#.utf8))
        }
        router.add("GET", "/slow") { request in
            probe.handled.add(1, ordering: .relaxed)
            let ms = Int(request.head.query?.split(separator: "=").last ?? "") ?? 300
            try await Task.sleep(for: .milliseconds(ms))
            return HTTPResponse(status: 200, contentType: "text/plain", body: Array("slow".utf8))
        }
        // Started without a task: replies from another thread after ?ms=, declines with ?decline
        // (the handler answers), fails with ?fail.
        router.add("GET", "/started", started: { request, reply in
            let query = request.head.query ?? ""
            if query.contains("decline") { return false }
            let ms = Int(query.split(separator: "=").last ?? "") ?? 0
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(ms)) {
                probe.startedReplies.add(1, ordering: .relaxed)
                struct Boom: Error {}
                reply(query.contains("fail") ? .failure(Boom())
                      : .success(HTTPResponse(status: 200, contentType: "text/plain", body: Array("started".utf8))))
            }
            return true
        }, handler: { _ in
            HTTPResponse(status: 200, contentType: "text/plain", body: Array("fallback".utf8))
        })
        router.add("GET", "/fast") { _ in
            probe.handled.add(1, ordering: .relaxed)
            return HTTPResponse(status: 200, contentType: "text/plain", body: Array("fast".utf8))
        }
        router.add("POST", "/echo") { request in
            probe.handled.add(1, ordering: .relaxed)
            probe.lastBody.withLock { $0 = request.body }
            return HTTPResponse(status: 200, contentType: "application/octet-stream", body: request.body)
        }
        router.add("POST", "/big-upload", bodyLimit: 4 * 1024 * 1024) { request in
            HTTPResponse(status: 200, contentType: "text/plain", body: Array(String(request.body.count).utf8))
        }
        router.add("GET", "/fail") { _ in
            struct Boom: Error {}
            throw Boom()
        }
        router.add("GET", "/items/:id") { request in
            HTTPResponse(status: 200, contentType: "text/plain", body: Array((request.pathParameters["id"] ?? "").utf8))
        }
        // ?chunks=N parts of 64 KiB, or ?mib=N parts of 1 MiB.
        router.add("GET", "/stream") { request in
            let query = request.head.query ?? ""
            let total = Int(query.split(separator: "=").last ?? "") ?? 1000
            let size = query.hasPrefix("mib=") ? 1 << 20 : 64 * 1024
            return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/octet-stream")]), body: .stream { writer in
                let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: size)
                do {
                    for _ in 0..<total {
                        try await writer.write(chunk)
                        probe.streamed.add(chunk.count, ordering: .relaxed)
                    }
                    probe.streamFinished.store(true, ordering: .relaxed)
                } catch {
                    probe.streamCancelled.store(true, ordering: .relaxed)
                    throw error
                }
            })
        }
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.headerTimeout = .milliseconds(1000)
        configuration.bodyTimeout = .milliseconds(1000)
        configuration.idleTimeout = .milliseconds(1000)
        configuration.writeTimeout = .milliseconds(1500)
        configure(&configuration)
        let application = Application(router: router, cors: CORSPolicy(allowedOrigins: ["https://dashboard.example"]))
        let server = try HTTPServer(configuration: configuration, responder: application)
        server.start()
        return TestServer(server: server, application: application, probe: probe)
    }

    func client() throws -> RawHTTPClient { try RawHTTPClient(port: port) }

    func stop() async { await server.shutdown() }
}
