/// Why a package was not built, as data: the CLI prints `description` as its one line, the
/// API answers with the status it maps to and records the reason on the export.
public enum ExportError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownOrganization(String)
    /// The audit chain of the period is broken: a signature would vouch for a tampered history.
    case chainBroken(String)
    case render(String)
    case storage(String)
    case database(String)

    public var description: String {
        switch self {
        case .unknownOrganization(let id): "no organization \(id)"
        case .chainBroken(let m): "the audit chain of the period has problems (\(m)): no package is signed over it; run `immoflow-compliance audit verify`"
        case .render(let m), .storage(let m), .database(let m): m
        }
    }
}
