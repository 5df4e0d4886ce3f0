import Foundation

/// A file or directory this build ships beside the binary (`migrations/`, `openapi.yaml`): found at
/// an explicit path, in an environment variable, at the install location next to the executable
/// (`../share/immoflow-compliance/<name>`), in the working directory, or in the source checkout the
/// binary was built from — the first that exists.
public enum InstalledFile {
    public static func locate(_ name: String, explicit: String? = nil, environmentVariable: String,
                              executablePath: String = CommandLine.arguments.first ?? "", sourceFile: String = #filePath) -> String {
        if let explicit { return explicit }
        if let env = ProcessInfo.processInfo.environment[environmentVariable], !env.isEmpty { return env }
        let executableDirectory = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        let checkout = URL(fileURLWithPath: sourceFile)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [
            executableDirectory.appendingPathComponent("../share/immoflow-compliance/\(name)").standardized.path,
            FileManager.default.currentDirectoryPath + "/" + name,
            checkout.appendingPathComponent(name).path,
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0) } ?? candidates[1]
    }
}
