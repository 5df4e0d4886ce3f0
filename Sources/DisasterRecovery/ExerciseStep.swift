/// One step of a DR exercise beyond the restore test's checks (an API probe, the export package),
/// with what it showed.
public struct ExerciseStep: Sendable, Equatable {
    public let name: String
    public let ok: Bool
    public let detail: String

    public init(_ name: String, ok: Bool, _ detail: String) {
        self.name = name
        self.ok = ok
        self.detail = detail
    }
}
