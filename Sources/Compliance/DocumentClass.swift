/// What kind of record a document or package holds, as the retention periods tell them apart
/// (docs/gobd-bao-export.md §9). The raw values are the CLI's `--class` words.
public enum DocumentClass: String, Sendable, CaseIterable {
    /// Bücher und Aufzeichnungen, Inventare, Jahresabschlüsse, Lageberichte, Eröffnungsbilanz,
    /// Arbeitsanweisungen und Organisationsunterlagen: the journal, the change log, export
    /// packages, the Verfahrensdokumentation.
    case books
    /// Buchungsbelege, invoices included.
    case vouchers
    /// Received and sent Handels- und Geschäftsbriefe, other tax-relevant documents.
    case letters
    /// Records and documents concerning business-used real estate.
    case realEstate = "real-estate"
}
