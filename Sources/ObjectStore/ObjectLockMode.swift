/// S3 Object Lock's retention modes. Only COMPLIANCE counts as WORM here: a COMPLIANCE version
/// cannot be overwritten or deleted by anyone, root included, its mode cannot change and its
/// period cannot shrink; GOVERNANCE yields to `s3:BypassGovernanceRetention`
/// (docs/s3-object-lock.md §2).
public enum ObjectLockMode: String, Sendable, Equatable {
    case governance = "GOVERNANCE"
    case compliance = "COMPLIANCE"
}
