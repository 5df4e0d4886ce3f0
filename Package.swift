// swift-tools-version:6.0
// immoflow-compliance: the compliance REST API server of ImmoflowMe.
// Module map and the reasons for each dependency: docs/architecture.md.
// Linux only: the server and the wrapper use Glibc, epoll(7) and pidfd_open(2) directly.
import PackageDescription

let package = Package(
    name: "immoflow-compliance",
    products: [
        .executable(name: "immoflow-compliance", targets: ["immoflow-compliance"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C in the basement: each shim is imported by exactly one Swift module.
        .systemLibrary(
            name: "CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]),
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "libcrypto libssl",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]),

        // Pure and thin-shell library modules.
        .target(name: "Crypto", dependencies: ["COpenSSL"]),
        // Secrets out of stored and printed text (pure, no dependencies).
        .target(name: "Redaction"),
        // NULL-terminated C string arrays for posix_spawn and libpq (one home for the helper).
        .target(name: "CInterop", dependencies: ["CProcess"]),
        .target(name: "Archive", dependencies: ["CZlib", "Crypto"]),
        // XML 1.0, the subset we read and write: documents, a SYSTEM DOCTYPE, DTD validation (pure).
        .target(name: "XML"),
        // GDPdU/GoBD/BAO export format, the pure part: field and record rendering.
        .target(name: "Gdpdu", dependencies: ["Chronology", "Crypto", "XML"]),
        .target(name: "Chronology"),
        .target(name: "JCS"),
        .target(name: "HTTP1", dependencies: ["Chronology"]),
        // epoll for the HTTP event loops (a struct Swift cannot import); our own C, no library.
        .target(name: "CEpoll"),
        .target(name: "HTTPServer", dependencies: ["HTTP1", "CEpoll"]),
        .target(name: "HTTP1Fuzzing", dependencies: ["HTTP1"]),
        // libFuzzer harness (tools/fuzz.sh); only the entry point lives here.
        .executableTarget(name: "FuzzHTTP", dependencies: ["HTTP1Fuzzing"]),
        .target(
            name: "HTTPRouting",
            dependencies: ["HTTP1", "JCS", "Crypto", "Chronology", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Postgres", dependencies: ["CLibPQ", "Chronology", "Redaction", "CInterop"]),
        .target(name: "Migrations", dependencies: ["Postgres", "Crypto"]),
        .target(name: "Compliance", dependencies: ["Crypto", "Chronology", "JCS", "Redaction"]),
        // S3 with Object Lock, the pure part: SigV4, request shapes, XML documents, errors.
        .target(name: "ObjectStore", dependencies: ["Crypto", "Chronology", "HTTP1", "XML"]),
        // S3's I/O shell: sockets, TLS (through Crypto), the HTTP/1.1 exchange, the operations.
        .target(name: "ObjectStoreClient", dependencies: ["ObjectStore", "HTTP1", "Crypto", "Chronology", "XML"]),
        // The background check of export packages' locks in the WORM store (serve).
        .target(name: "WormMonitor", dependencies: ["ObjectStoreClient", "ObjectStore", "Postgres", "Compliance", "ComplianceStore", "Chronology", "Crypto"]),
        .target(
            name: "ComplianceStore",
            dependencies: ["Postgres", "Compliance", "Chronology", "JCS", "Crypto"]),
        // pgBackRest facts (pure): info JSON, console output, command lines, run outcomes.
        .target(name: "PgBackRest", dependencies: ["Compliance", "Chronology", "JCS", "Redaction"]),
        // The backup wrapper's I/O shell: child processes, the spool, recording.
        // pidfd_open(2) for the wrapper's child processes; our own C, no library.
        .target(name: "CProcess"),
        .target(name: "BackupAgent", dependencies: ["PgBackRest", "Compliance", "ComplianceStore", "Postgres", "JCS", "CInterop", "Chronology"]),
        // Export packages (GoBD/BAO): the tables' COPYs rendered, spooled, signed and archived.
        .target(name: "Export", dependencies: ["Gdpdu", "Archive", "Postgres", "Compliance", "ComplianceStore", "Chronology", "Crypto", "XML",
                                              "ObjectStore", "ObjectStoreClient", "JCS", "WormMonitor"]),
        // Restore tests and DR exercises: dr check of a restored database (issue 17).
        .target(name: "DisasterRecovery", dependencies: ["WormMonitor", "ComplianceStore", "Compliance", "Postgres", "Chronology", "JCS", "Crypto",
                                                        "ObjectStoreClient", "BackupAgent", "PgBackRest", "API", "HTTPServer", "Export"]),
        .target(
            name: "DemoData",
            dependencies: ["Chronology", "Compliance", "ComplianceStore", "Postgres", "JCS"]),
        .target(
            name: "API",
            dependencies: ["HTTPRouting", "HTTP1", "Postgres", "JCS", "Compliance", "ComplianceStore",
                           "Chronology", "Crypto", "Archive", .product(name: "Logging", package: "swift-log")]),
        .target(name: "APIFuzzing", dependencies: ["API", "Chronology", "Compliance", "ComplianceStore", "JCS"]),
        // libFuzzer harness for the API's input decoding (tools/fuzz.sh … api).
        .executableTarget(name: "FuzzAPI", dependencies: ["APIFuzzing"]),
        // The HTTP stack with a streaming route: tools/bench/http.sh's export-scale peer (not shipped).
        .executableTarget(name: "HTTPBenchServer", dependencies: ["HTTPServer", "HTTPRouting", "HTTP1"]),
        .executableTarget(
            name: "immoflow-compliance",
            dependencies: [
                "Postgres", "Compliance", "ComplianceStore", "Migrations", "DemoData", "Chronology", "API", "HTTPServer", "HTTPRouting",
                "PgBackRest", "BackupAgent", "Redaction", "ObjectStore", "ObjectStoreClient", "WormMonitor", "JCS", "Crypto",
                "Export", "Gdpdu", "DisasterRecovery",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Test support: throwaway PostgreSQL clusters, fixtures.
        .target(name: "ComplianceTesting", dependencies: ["Postgres", "Migrations", "CInterop", "ObjectStore", "ObjectStoreClient"]),

        .testTarget(name: "CryptoTests", dependencies: ["Crypto", "ComplianceTesting"]),
        .testTarget(name: "ObjectStoreTests", dependencies: ["ObjectStore", "Chronology", "XML"]),
        .testTarget(name: "XMLTests", dependencies: ["XML"]),
        .testTarget(name: "ObjectStoreClientTests", dependencies: ["ObjectStoreClient", "ObjectStore", "Crypto", "Chronology", "HTTP1", "ComplianceTesting", "Postgres"]),
        .testTarget(name: "WormMonitorTests", dependencies: ["WormMonitor", "ObjectStoreClient", "ObjectStore", "Compliance", "ComplianceStore", "Chronology", "ComplianceTesting", "Postgres"]),
        .testTarget(name: "HTTP1Tests", dependencies: ["HTTP1", "HTTP1Fuzzing"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "HTTPRouting", "HTTP1", "ComplianceTesting"]),
        .testTarget(
            name: "APITests",
            dependencies: ["API", "HTTPServer", "HTTPRouting", "HTTP1", "Postgres", "ComplianceTesting", "Compliance",
                           "ComplianceStore", "Chronology", "Crypto", "DemoData", "APIFuzzing", "JCS"]),
        .testTarget(name: "ChronologyTests", dependencies: ["Chronology"]),
        .testTarget(name: "RedactionTests", dependencies: ["Redaction"]),
        .testTarget(name: "ComplianceTestingTests", dependencies: ["ComplianceTesting", "Postgres"]),
        .testTarget(name: "JCSTests", dependencies: ["JCS"]),
        .testTarget(name: "ArchiveTests", dependencies: ["Archive", "ComplianceTesting", "Crypto"]),
        .testTarget(name: "ExportTests", dependencies: ["Export", "Gdpdu", "Archive", "Postgres", "Compliance", "ComplianceStore", "Chronology",
                                                        "Crypto", "XML", "ComplianceTesting", "DemoData", "ObjectStore", "ObjectStoreClient",
                                                        "API", "HTTPServer", "HTTP1", "JCS"]),
        .testTarget(name: "DisasterRecoveryTests", dependencies: ["DisasterRecovery", "Compliance", "ComplianceStore", "Postgres", "Chronology",
                                                                 "Crypto", "JCS", "ComplianceTesting", "DemoData", "WormMonitor", "Migrations", "ObjectStoreClient"]),
        .testTarget(name: "GdpduTests", dependencies: ["Gdpdu", "Chronology", "Crypto", "ComplianceTesting", "XML"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "Chronology", "ComplianceTesting"]),
        .testTarget(name: "MigrationsTests", dependencies: ["Migrations", "Postgres", "ComplianceTesting"]),
        .testTarget(name: "PgBackRestTests", dependencies: ["PgBackRest", "Compliance", "Chronology", "JCS", "Redaction"],
                    resources: [.copy("Fixtures")]),
        .testTarget(
            name: "BackupAgentTests",
            dependencies: ["BackupAgent", "PgBackRest", "Compliance", "ComplianceStore", "Postgres", "ComplianceTesting", "Chronology",
                           "JCS", "API", "HTTPServer", "Crypto"]),
        .testTarget(name: "ComplianceTests", dependencies: ["Compliance", "Chronology", "Crypto", "JCS"]),
        .testTarget(name: "DemoDataTests", dependencies: ["DemoData", "Compliance", "Chronology", "JCS"]),
        .testTarget(
            name: "ComplianceStoreTests",
            dependencies: ["ComplianceStore", "Compliance", "Chronology", "Crypto", "Postgres", "ComplianceTesting"]),
    ],
    swiftLanguageModes: [.v6]
)
