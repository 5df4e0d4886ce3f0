import Foundation

/// The built `immoflow-compliance` executable next to the test bundle, for CLI tests that run
/// the real program.
public enum TestBinary {
    /// The executable's path, or a harness error saying how to build it.
    public static func path(_ name: String = "immoflow-compliance") throws -> String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        var candidates = [bundle.deletingLastPathComponent().appendingPathComponent(name).path]
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent(name).path)
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw HarnessError("\(name) is not built next to the tests (looked at \(candidates.joined(separator: ", "))); run `swift build` first")
        }
        return found
    }

    /// Runs the executable with `arguments` and an environment without DATABASE_URL unless given.
    public static func run(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> ProcessRunner.Outcome {
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "DATABASE_URL")
        for (k, v) in extra { environment[k] = v }
        let command = [try path()] + arguments
        return try await Blocking.run { [environment] in try ProcessRunner.run(command, environment: environment) }
    }
}
