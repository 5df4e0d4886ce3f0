/// Whose rules a package is made for (docs/gobd-bao-export.md §2): `gobd` — a German
/// Betriebsprüfung, Datenüberlassung (Z3) under §147 Abs. 6 AO — or `bao` — an Austrian audit,
/// data on data carriers under §131 Abs. 3 and §132 Abs. 3 BAO. Both get the same files; the
/// description of the data set says which law it serves. Chosen from the organization's country
/// unless given.
public enum ExportProfile: String, Sendable, CaseIterable {
    case gobd, bao

    public static func forCountry(_ country: String) -> ExportProfile { country == "AT" ? .bao : .gobd }

    /// `DataSupplier/Comment`.
    var comment: String {
        switch self {
        case .gobd: "Datenueberlassung (Z3) nach Paragraph 147 Abs. 6 AO, Beschreibungsstandard GDPdU 1.5"
        case .bao: "Daten auf Datentraeger nach Paragraph 131 Abs. 3 und 132 Abs. 3 BAO (Exportfile als unformatierter Text mit Strukturbeschreibung)"
        }
    }
}
