import Chronology

/// Demo organizations, tenants, invoices and ledger entries, as plain values.
public struct DemoOrganization: Sendable, Equatable {
    public let id: String
    public let name: String
    public let country: String
    public let taxNumber: String
    public let vatID: String
}

public struct DemoTenant: Sendable, Equatable {
    public let id: String
    public let organizationID: String
    public let name: String
    public let unit: String
    /// `residential` or `commercial`: decides the VAT rate.
    public let usage: String
}

public struct DemoInvoice: Sendable, Equatable {
    public let id: String
    public let organizationID: String
    public let tenantID: String
    public let number: String
    public let period: CalendarDate
    public let issuedAt: Timestamp
    public let dueDate: CalendarDate
    public let net: Money
    /// Percent with two decimals, e.g. `19.00`.
    public let vatRate: String
    public let vat: Money
    public let gross: Money
    public let status: String
    public let description: String
}

public struct DemoLedgerEntry: Sendable, Equatable {
    public let id: String
    public let organizationID: String
    public let tenantID: String
    public let bookingDate: CalendarDate
    public let account: String
    public let amount: Money
    public let entryType: String
    public let description: String
    public let invoiceID: String?
}

/// An amount in euro cents, rendered as PostgreSQL `numeric(12,2)` text.
public struct Money: Sendable, Equatable, Comparable, CustomStringConvertible {
    public let cents: Int64
    public init(cents: Int64) { self.cents = cents }

    /// `-1234.56`
    public var description: String {
        let sign = cents < 0 ? "-" : ""
        let magnitude = cents.magnitude
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// `rate` percent of this amount in basis points (1900 = 19 %), rounded half away from zero
    /// to the cent (commercial rounding, §14 UStG / §11 UStG 1994 invoices).
    public func percentage(basisPoints: Int64) -> Money {
        let raw = cents * basisPoints
        let (q, r) = raw.quotientAndRemainder(dividingBy: 10_000)
        let roundUp = r.magnitude * 2 >= 10_000
        return Money(cents: q + (roundUp ? (raw < 0 ? -1 : 1) : 0))
    }

    public static func + (a: Money, b: Money) -> Money { Money(cents: a.cents + b.cents) }
    public static prefix func - (a: Money) -> Money { Money(cents: -a.cents) }
    public static func < (a: Money, b: Money) -> Bool { a.cents < b.cents }
}
