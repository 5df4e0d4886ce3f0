import CInterop
import Foundation
import Glibc
import PgBackRest

/// Runs a wrapped command (I/O shell). Its stdout and stderr pass straight through to ours, so
/// cron mail and journald keep pgBackRest's output, while the last 64 KiB of each are kept for
/// the error line. SIGTERM, SIGINT and SIGHUP sent to the wrapper are forwarded to the child, so
/// a stopped timer still lets pgBackRest abort cleanly (rc 63) and the wrapper record it.
/// Blocking: call it on a thread of its own (`SystemProcesses`), never on the cooperative pool.
public enum ChildProcess {

    public struct Result: Sendable {
        public let exit: ProcessExit
        public let stdout: String
        public let stderr: String

        public init(exit: ProcessExit, stdout: String, stderr: String) {
            self.exit = exit
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    /// - Parameters:
    ///   - passThrough: copy the child's output to our stdout/stderr as it arrives.
    ///   - timeout: wall-clock limit; the child gets SIGTERM, then SIGKILL 5 s later.
    ///   - keepBytes: how much of each stream's end is kept (the whole of `info`'s JSON needs more).
    public static func run(_ arguments: [String], passThrough: Bool, timeout: Duration? = nil,
                           environment: [String: String]? = nil, keepBytes: Int = 65_536) -> Result {
        guard !arguments.isEmpty else { return Result(exit: .notStarted("empty command"), stdout: "", stderr: "") }
        // Only the dup2'ed copies reach the child; the originals close on exec.
        guard let outEnds = ProcessDescriptors.closeOnExecPipe() else {
            return Result(exit: .notStarted("pipe: \(String(cString: strerror(errno)))"), stdout: "", stderr: "")
        }
        guard let errEnds = ProcessDescriptors.closeOnExecPipe() else {
            close(outEnds.read)
            close(outEnds.write)
            return Result(exit: .notStarted("pipe: \(String(cString: strerror(errno)))"), stdout: "", stderr: "")
        }
        let outPipe = [outEnds.read, outEnds.write], errPipe = [errEnds.read, errEnds.write]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with default dispositions and an empty mask, whatever ours are.
        var defaults = sigset_t(), empty = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&defaults)
        for s in [SIGTERM, SIGINT, SIGHUP, SIGPIPE] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let rc = CStringArray.with(arguments) { argv in
            CStringArray.with(env) { envp in posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp) }
        }
        close(outPipe[1])
        close(errPipe[1])
        guard rc == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            return Result(exit: .notStarted("\(arguments[0]): \(String(cString: strerror(rc)))"), stdout: "", stderr: "")
        }
        SignalForwarding.begin(pid)
        defer { SignalForwarding.end() }

        // A pidfd (Linux 5.3+) becomes readable when the child exits, so one poll(2) waits for
        // output and the exit together, with no periodic wake-up; without one, 100 ms polling.
        let pidfd = ProcessDescriptors.pidfd(pid) ?? -1
        defer { if pidfd >= 0 { close(pidfd) } }
        var tails: [[UInt8]] = [[], []]
        var open = [outPipe[0], errPipe[0]]
        let start = ContinuousClock.now
        var termSentAt: ContinuousClock.Instant?
        var timedOut = false
        var status: Int32 = 0
        var exited = false
        var exitSeenAt: ContinuousClock.Instant?
        var buffer = [UInt8](repeating: 0, count: 65_536)
        func milliseconds(until instant: ContinuousClock.Instant) -> Int32 {
            let left = instant - ContinuousClock.now
            return left <= .zero ? 0 : Int32(min(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1, 60_000))
        }
        while true {
            let pipes = open.filter { $0 >= 0 }
            if pipes.isEmpty && exited { break }
            var fds = pipes.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if !exited && pidfd >= 0 { fds.append(pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)) }
            // How long to wait: until the next deadline (grace after exit, SIGTERM, SIGKILL), else
            // forever with a pidfd, else 100 ms.
            var wait: Int32 = pidfd >= 0 ? -1 : 100
            if let seen = exitSeenAt { wait = milliseconds(until: seen + .seconds(2)) }
            if let timeout, !exited {
                let next = termSentAt.map { $0 + .seconds(5) } ?? (start + timeout)
                let ms = milliseconds(until: next)
                wait = wait < 0 ? ms : min(wait, ms)
            }
            if fds.isEmpty { usleep(20_000) } else { _ = poll(&fds, nfds_t(fds.count), wait) }
            for p in fds where p.revents != 0 && p.fd != pidfd {
                let index = open.firstIndex(of: p.fd)!
                let n = read(p.fd, &buffer, buffer.count)
                if n > 0 {
                    if passThrough { writeAll(index == 0 ? 1 : 2, buffer, n) }
                    tails[index].append(contentsOf: buffer[0..<n])
                    if tails[index].count > 2 * keepBytes { tails[index].removeFirst(tails[index].count - keepBytes) }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(p.fd)
                    open[index] = -1
                }
            }
            if !exited {
                let w = waitpid(pid, &status, WNOHANG)
                if w == pid { exited = true; exitSeenAt = .now }
            }
            // A grandchild may keep the pipes open after the child exited: stop reading after 2 s.
            if exited, let seen = exitSeenAt, ContinuousClock.now - seen >= .seconds(2) { break }
            if let timeout, !exited {
                let now = ContinuousClock.now
                if termSentAt == nil, now - start >= timeout {
                    kill(pid, SIGTERM)
                    termSentAt = now
                    timedOut = true
                } else if let sent = termSentAt, now - sent >= .seconds(5) {
                    kill(pid, SIGKILL)
                }
            }
        }
        for fd in open where fd >= 0 { close(fd) }
        let exit: ProcessExit
        if timedOut, let timeout {
            exit = .timedOut(seconds: Int(timeout.components.seconds))
        } else if (status & 0x7f) == 0 {
            exit = .exited((status >> 8) & 0xff)
        } else {
            exit = .signaled(status & 0x7f)
        }
        func text(_ bytes: [UInt8]) -> String { String(decoding: bytes.suffix(keepBytes), as: UTF8.self) }
        return Result(exit: exit, stdout: text(tails[0]), stderr: text(tails[1]))
    }

    private static func writeAll(_ fd: Int32, _ buffer: [UInt8], _ count: Int) {
        var offset = 0
        buffer.withUnsafeBytes { raw in
            while offset < count {
                let n = write(fd, raw.baseAddress! + offset, count - offset)
                if n > 0 { offset += n } else if errno != EINTR { return }
            }
        }
    }
}
