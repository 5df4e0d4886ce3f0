import CInterop
import Foundation
import Glibc

/// Runs a program to completion and captures its output (test harness only).
///
/// Built on `posix_spawn` + `waitpid` rather than Foundation's `Process`: `Process` on Linux
/// waits for an inherited descriptor to close, so a child that leaves a daemon behind
/// (`pg_ctl start`) would never be seen to exit.
public enum ProcessRunner {
    /// The outcome of one run.
    public struct Outcome: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Runs `arguments[0]` (a path, or a name looked up in PATH) with the rest as arguments.
    /// Output goes through temporary files so a chatty child never blocks on a full pipe.
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String]? = nil,
                           input: String? = nil, workingDirectory: String? = nil) throws -> Outcome {
        let directory = FileManager.default.temporaryDirectory.path
        let stamp = UUID().uuidString
        let outPath = "\(directory)/run-\(stamp).out", errPath = "\(directory)/run-\(stamp).err"
        let inPath = "\(directory)/run-\(stamp).in"
        defer {
            unlink(outPath)
            unlink(errPath)
            unlink(inPath)
        }
        if let input {
            guard FileManager.default.createFile(atPath: inPath, contents: Data(input.utf8)) else {
                throw HarnessError("cannot write \(inPath)")
            }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input == nil ? "/dev/null" : inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // posix_spawn has no portable chdir action; a shell changes directory, then execs.
        let arguments = workingDirectory.map { ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", $0] + arguments } ?? arguments

        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let rc = CStringArray.with(arguments) { argv in
            CStringArray.with(env) { envp in posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp) }
        }
        guard rc == 0 else { throw HarnessError("cannot start \(arguments[0]): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw HarnessError("waitpid failed: errno \(errno)") }
        }
        // WIFEXITED / WEXITSTATUS; a signal death is reported as 128 + signal, like a shell.
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return Outcome(status: exitStatus, stdout: stdout, stderr: stderr)
    }

    /// Stops a program `spawn` started and reaps it. SIGKILL: a child of the test process inherits
    /// its blocked SIGTERM (the process blocks it for its own signal handling), so SIGTERM may never land.
    public static func kill(_ pid: pid_t) {
        _ = Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    /// Starts a program in the background with its output appended to `logPath`; returns its pid.
    public static func spawn(_ arguments: [String], environment: [String: String]? = nil,
                             logPath: String = "/dev/null", newSession: Bool = false) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID (glibc 2.26+, value 0x80) is not exported to Swift.
        if newSession { posix_spawnattr_setflags(&attributes, 0x80) }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let rc = CStringArray.with(arguments) { argv in
            CStringArray.with(env) { envp in posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp) }
        }
        guard rc == 0 else { throw HarnessError("cannot start \(arguments[0]): \(String(cString: strerror(rc)))") }
        return pid
    }
}
