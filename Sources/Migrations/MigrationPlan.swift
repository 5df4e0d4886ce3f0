/// What `migrate` will do, decided from the applied records and the shipped files (pure).
public struct MigrationPlan: Sendable, Equatable {
    /// An applied migration as recorded in `schema_migrations`.
    public struct Applied: Sendable, Equatable {
        public let version: Int
        public let checksum: String
        public init(version: Int, checksum: String) {
            self.version = version
            self.checksum = checksum
        }
    }

    /// The files to apply, in order.
    public let pending: [MigrationFile]

    /// Refuses an edited applied file (checksum mismatch) and a recorded version that has no file
    /// (the database is ahead of this build). Pending files are applied in version order.
    public init(applied: [Applied], catalog: MigrationCatalog) throws(MigrationError) {
        let byVersion = Dictionary(uniqueKeysWithValues: catalog.files.map { ($0.version, $0) })
        for record in applied {
            guard let file = byVersion[record.version] else {
                throw MigrationError(.unknownAppliedVersion, String(record.version),
                                     hint: "run the release that added it, or a newer one")
            }
            guard file.checksum == record.checksum else {
                throw MigrationError(.checksumMismatch, file.fileName,
                                     reason: "recorded sha256 \(record.checksum.prefix(12))…, file has \(file.checksum.prefix(12))…",
                                     hint: "never edit an applied migration; add a new NNNN_*.sql file instead")
            }
        }
        let done = Set(applied.map(\.version))
        pending = catalog.files.filter { !done.contains($0.version) }
    }
}
