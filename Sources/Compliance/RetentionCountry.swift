/// The tax law a document is kept under: the organization's country (`organizations.country`).
public enum RetentionCountry: String, Sendable, CaseIterable {
    /// Germany: §147 AO (as amended by BEG IV, from 2025), §14b UStG.
    case de = "DE"
    /// Austria: §132 BAO, §18 Abs. 10 UStG 1994.
    case at = "AT"
}
