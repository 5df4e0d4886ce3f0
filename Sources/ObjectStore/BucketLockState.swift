import HTTP1
import XML

/// What a bucket must be before anything is stored in it: versioned, with Object Lock enabled
/// (GetBucketVersioning, GetObjectLockConfiguration). A bucket without it would be a silent
/// non-WORM store, so it is refused at start.
public struct BucketLockState: Sendable, Equatable {
    public enum Versioning: String, Sendable {
        case enabled = "Enabled", suspended = "Suspended", never = "Never"
    }

    /// The bucket's default retention, when it has one (applies to versions PUT without a date).
    public struct DefaultRetention: Sendable, Equatable {
        public var mode: ObjectLockMode
        public var days: Int?
        public var years: Int?

        public init(mode: ObjectLockMode, days: Int? = nil, years: Int? = nil) {
            self.mode = mode
            self.days = days
            self.years = years
        }
    }

    public var versioning: Versioning
    public var objectLockEnabled: Bool
    public var defaultRetention: DefaultRetention?

    public init(versioning: Versioning, objectLockEnabled: Bool, defaultRetention: DefaultRetention? = nil) {
        self.versioning = versioning
        self.objectLockEnabled = objectLockEnabled
        self.defaultRetention = defaultRetention
    }

    /// Reads `<VersioningConfiguration>` (no `<Status>`: never enabled).
    public static func versioning(document: XMLElement) throws(XMLError) -> Versioning {
        guard document.name == "VersioningConfiguration" else { throw .unexpected("<\(document.name)> instead of <VersioningConfiguration>") }
        guard let status = document.value("Status")?.trimmed else { return .never }
        guard let v = Versioning(rawValue: status) else { throw .unexpected("versioning status \(status)") }
        return v
    }

    /// Reads `<ObjectLockConfiguration>`: whether Object Lock is enabled, and its default rule.
    public static func lockConfiguration(document: XMLElement) throws(XMLError) -> (enabled: Bool, defaultRetention: DefaultRetention?) {
        guard document.name == "ObjectLockConfiguration" else { throw .unexpected("<\(document.name)> instead of <ObjectLockConfiguration>") }
        let enabled = document.value("ObjectLockEnabled")?.trimmed == "Enabled"
        guard let rule = document.child("Rule")?.child("DefaultRetention") else { return (enabled, nil) }
        guard let modeText = rule.value("Mode")?.trimmed, let mode = ObjectLockMode(rawValue: modeText) else {
            throw .unexpected("<DefaultRetention> without a known <Mode>")
        }
        func number(_ name: String) throws(XMLError) -> Int? {
            guard let text = rule.value(name)?.trimmed else { return nil }
            // Digits only (`DecimalParsing`: never `Int(String)`, which takes `+5`).
            guard let n = DecimalParsing.decimal(Array(text.utf8)), n <= Int64(Int32.max) else {
                throw .unexpected("<\(name)> \(text) is not a number")
            }
            return Int(n)
        }
        return (enabled, DefaultRetention(mode: mode, days: try number("Days"), years: try number("Years")))
    }

    /// The PutBucketVersioning body (`<VersioningConfiguration><Status>…`). A bucket with Object
    /// Lock refuses `Suspended` (409 `InvalidBucketState`): its versions are what is locked.
    public static func versioningBody(_ status: Versioning) -> [UInt8] {
        S3XMLWriter.document("VersioningConfiguration", S3XMLWriter.element("Status", status.rawValue))
    }

    /// The PutObjectLockConfiguration body: Object Lock enabled and, when given, the default
    /// retention new versions PUT without a lock of their own get (`Days` or `Years`, not both).
    public static func lockConfigurationBody(defaultRetention: DefaultRetention?) -> [UInt8] {
        var content = S3XMLWriter.element("ObjectLockEnabled", "Enabled")
        if let rule = defaultRetention {
            var period = ""
            if let days = rule.days { period += S3XMLWriter.element("Days", String(days)) }
            if let years = rule.years { period += S3XMLWriter.element("Years", String(years)) }
            content += "<Rule><DefaultRetention>" + S3XMLWriter.element("Mode", rule.mode.rawValue) + period + "</DefaultRetention></Rule>"
        }
        return S3XMLWriter.document("ObjectLockConfiguration", content)
    }

    /// Why the bucket is not a WORM store, or nil when it is.
    public var problem: String? {
        if !objectLockEnabled { return "object lock is not enabled on the bucket: it would be a store anyone can delete from" }
        if versioning != .enabled { return "versioning is \(versioning.rawValue.lowercased()), not enabled" }
        return nil
    }
}
