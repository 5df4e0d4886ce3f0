/// Word lists for realistic German and Austrian demo records (umlauts, ß and all).
enum DemoCatalog {
    static let germanCompanies = [
        "Hausverwaltung Müller GmbH", "Immobilien Grünwald KG", "Wohnbau Weißensee GmbH & Co. KG",
        "Hausverwaltung Größl & Söhne", "Rhein-Main Hausverwaltung Schäfer e.K.", "Bürgerhaus Verwaltung Köln GmbH",
        "Alster Immobilienverwaltung Jößel", "Hausverwaltung Brückner Dresden GmbH",
    ]
    static let austrianCompanies = [
        "Hausverwaltung Österreicher GmbH", "Wiener Wohnbau Hübner & Partner OG", "Immobilien Pöltl Graz GmbH",
        "Salzburger Hausverwaltung Fürst KG", "Tiroler Wohnungsgenossenschaft Kärntner", "Linzer Hausverwaltung Gößl GmbH",
    ]
    static let firstNames = [
        "Jürgen", "Anna", "Björn", "Zoë", "Sören", "Käthe", "Lukas", "Marie", "Jörg", "Ömer", "Lena", "Felix",
        "Sophie", "Günther", "Mia", "Elias", "Renée", "Paul", "Hannah", "Maximilian", "Ayşe", "Tomáš",
    ]
    static let lastNames = [
        "Müller", "Schütz", "Weiß", "Groß", "Bäcker", "Köhler", "Schäfer", "Hübner", "Fuß", "Öztürk",
        "Schmidt", "Wagner", "Becker", "Hoffmann", "Krämer", "Lindström", "Dvořák", "Gruber", "Pichler", "Huber",
    ]
    static let streets = [
        "Königsallee", "Hauptstraße", "Am Müllerweg", "Schönbrunner Straße", "Grüner Weg", "Lindenstraße",
        "Mariahilfer Straße", "Bahnhofstraße", "Goethestraße", "Hietzinger Kai",
    ]
    static let commercialTenants = [
        "Bäckerei Fröhlich", "Praxis Dr. Weiß", "Café Süßes Eck", "Blumen Größl", "Steuerkanzlei Hübsch & Co.",
    ]
    static let actions: [(action: String, entity: String)] = [
        ("invoice.created", "monthly_invoices"), ("invoice.sent", "monthly_invoices"),
        ("payment.booked", "ledger_entries"), ("ledger.adjusted", "ledger_entries"),
        ("tenant.updated", "tenants"), ("document.uploaded", "documents"), ("user.login", "users"),
    ]
    static let notes = [
        "Miete 01/2026 – Top 3", "Nebenkostenabrechnung 2025 „Whg. 4“", "Mahnung: Zahlungserinnerung",
        "Kaution \"Stellplatz 12\"", "Gutschrift; Betriebskosten", "Überweisung € 1.250,00", "Heizkosten – Größe 75 m²",
    ]
}
