/// One column of a GDPdU table description (`VariablePrimaryKey` / `VariableColumn`).
public struct GdpduColumn: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `<Numeric/>` for integers, `<Numeric><Accuracy>n</Accuracy></Numeric>` for n decimals.
        case numeric(accuracy: Int)
        /// `<AlphaNumeric/><MaxLength>n</MaxLength>`: n the longest value in characters.
        case alphaNumeric(maxLength: Int)
        /// `<Date><Format>DD.MM.YYYY</Format></Date>`.
        case date
        /// A time of day: AlphaNumeric, `MaxLength` 8, marked by the 1.6 time mask
        /// `<Map><From>HH:MM:SS</From><To>HH:MM:SS</To></Map>`.
        case time
    }

    public var name: String
    public var description: String?
    public var kind: Kind

    public init(_ name: String, _ kind: Kind, description: String? = nil) {
        self.name = name
        self.kind = kind
        self.description = description
    }
}
