import Foundation

/// The JDK's Xerces as the independent judge of `index.xml` (docs/gobd-bao-export.md §5:
/// libxml2 rejects every document against the standard's DTD): tools/xml/ValidateGdpdu.java run
/// once (one JVM) on several documents, one verdict per document. `java` must be installed (the
/// test command installs openjdk-17-jre-headless); without it the call fails saying so.
public enum Xerces {
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String { "java not found at /usr/bin/java: tools/test.sh installs openjdk-17-jre-headless for the Xerces validation" }
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The verdict line of each document ("valid" or "invalid: …"), validated against `dtd` (a
    /// path). Blocking: call it through `Blocking.run`.
    public static func validate(dtd: String, documents: [String]) throws -> [String] {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/java") else { throw Unavailable() }
        let directory = NSTemporaryDirectory() + "gdpdu-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var paths: [String] = []
        for (i, xml) in documents.enumerated() {
            paths.append(directory + "/index-\(i).xml")
            try xml.write(toFile: paths[i], atomically: true, encoding: .utf8)
        }
        // A small, quick JVM: these tests run beside timing-sensitive ones on two cores.
        let run = try ProcessRunner.run(["/usr/bin/java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss1m",
                                         root + "/tools/xml/ValidateGdpdu.java", dtd] + paths)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        return paths.map { path in lines.first { $0.hasPrefix(path + ": ") }.map { String($0.dropFirst(path.count + 2)) } ?? "no verdict: \(run.stderr)" }
    }
}
