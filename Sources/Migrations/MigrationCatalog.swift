import Foundation

/// The ordered set of migration files shipped with this build.
public struct MigrationCatalog: Sendable {
    public let files: [MigrationFile]

    /// Sorts `files` by version and refuses duplicate versions.
    public init(files: [MigrationFile]) throws(MigrationError) {
        let sorted = files.sorted { $0.version < $1.version }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.version == b.version {
            throw MigrationError(.duplicateVersion, String(a.version), reason: "\(a.fileName) and \(b.fileName)")
        }
        self.files = sorted
    }

    /// Reads every `*.sql` file in `directory`; other files are ignored.
    public static func load(directory: String) throws(MigrationError) -> MigrationCatalog {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
              let names = try? manager.contentsOfDirectory(atPath: directory)
        else { throw MigrationError(.directoryNotFound, directory) }
        var files: [MigrationFile] = []
        for name in names where name.hasSuffix(".sql") {
            guard let data = manager.contents(atPath: directory + "/" + name) else {
                throw MigrationError(.directoryNotFound, directory + "/" + name, reason: "unreadable")
            }
            files.append(try MigrationFile(fileName: name, contents: Array(data)))
        }
        return try MigrationCatalog(files: files)
    }

    /// Finds the migrations directory: an explicit path, `IMMOFLOW_MIGRATIONS_DIR`, the install
    /// location next to the executable (`../share/immoflow-compliance/migrations`), `./migrations`,
    /// or the source checkout this binary was built from (`InstalledFile`).
    public static func locate(explicit: String?, executablePath: String = CommandLine.arguments.first ?? "") -> String {
        InstalledFile.locate("migrations", explicit: explicit, environmentVariable: "IMMOFLOW_MIGRATIONS_DIR", executablePath: executablePath)
    }
}
