import ComplianceTesting
import Foundation
import Glibc
import Synchronization

/// A one-thread HTTP server on 127.0.0.1 answering each request (a head without body) with the
/// next scripted answer — `nil` closes the connection without one (a reset) — and counting
/// requests: to see what the S3 client retries and what it does not.
final class ScriptedServer: Sendable {
    let port: Int
    private let fd: Int32
    private let answers: Mutex<[String?]>
    private let requests = Atomic<Int>(0)
    private let running = Atomic<Bool>(true)
    private let stopped = Mutex<Bool>(false)

    init(_ answers: [String?]) throws {
        let (fd, port) = try LoopbackSocket.bound()
        guard listen(fd, 16) == 0 else { throw HarnessError("listen failed") }
        self.fd = fd
        self.port = port
        self.answers = Mutex(answers)
        Thread { [self] in serve() }.start()
    }

    var count: Int { requests.load(ordering: .acquiring) }

    private func serve() {
        while running.load(ordering: .acquiring) {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 50) > 0 else { continue }
            let client = accept(fd, nil, nil)
            guard client >= 0 else { continue }
            var open = true
            while open && running.load(ordering: .acquiring) {
                var head: [UInt8] = []
                var byte: UInt8 = 0
                while !(head.count >= 4 && head.suffix(4) == [13, 10, 13, 10]) {
                    guard recv(client, &byte, 1, 0) == 1 else { open = false; break }
                    head.append(byte)
                }
                guard open else { break }
                requests.add(1, ordering: .releasing)
                let answer = answers.withLock { $0.isEmpty ? "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n" : $0.removeFirst() }
                guard let answer else { open = false; break }
                _ = answer.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            }
            close(client)
        }
        close(fd)
        stopped.withLock { $0 = true }
    }

    func stop() {
        running.store(false, ordering: .releasing)
        while !stopped.withLock({ $0 }) { usleep(10_000) }
    }
}
