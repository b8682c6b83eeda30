// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "treadd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "treadd", targets: ["treadd"]),
        .executable(name: "treadctl", targets: ["treadctl"]),
        .executable(name: "treadsim", targets: ["treadsim"]),
        .executable(name: "treadconsole", targets: ["treadconsole"]),
        .executable(name: "treadsync", targets: ["treadsync"]),
        .executable(name: "treadfleet", targets: ["treadfleet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // treadconsole's HTTP server; no default traits (swift-configuration is not used).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        // The browser tests drive headless Chromium over the DevTools protocol, a WebSocket.
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        // treadfleet's store: the fleet's sessions, faults and counters in PostgreSQL.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Zwift workout files (.zwo) for `treadctl programs import`; parsed by FoundationXML underneath.
        .package(url: "https://github.com/drmohundro/SWXMLHash", from: "8.1.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CModbus",
            pkgConfig: "libmodbus",
            providers: [.apt(["libmodbus-dev"])]
        ),
        // prctl, seccomp and pidfd for the program parser's sandbox (kernel headers only).
        .systemLibrary(name: "CSandbox"),
        .systemLibrary(
            name: "CGPIOD",
            pkgConfig: "libgpiod",
            providers: [.apt(["libgpiod-dev"])]
        ),
        // The fleet's MQTT client library (treadsync and treadfleet; never linked into treadd).
        .systemLibrary(
            name: "CMosquitto",
            pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]
        ),
        // Control logic only: no I/O, no file formats, no C or C++ library.
        .target(name: "TreadCore"),
        // File formats (TOML programs, config sections, located errors): the only TOMLKit user.
        .target(
            name: "TreadFiles",
            dependencies: ["TreadCore", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        // Workouts from other apps' files (Zwift .zwo) turned into programs: the only SWXMLHash user.
        .target(
            name: "TreadWorkouts",
            dependencies: ["TreadCore", .product(name: "SWXMLHash", package: "SWXMLHash")]
        ),
        // The workout side that is not control: weekly load (+10% rule) and progression plans.
        .target(name: "TreadTraining", dependencies: ["TreadCore"]),
        .target(
            name: "TreadHardware",
            dependencies: [
                "CModbus", "CGPIOD", "TreadCore", "TreadFiles",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "TreadProtocol"),
        // Session export (TCX, FIT): pure encoders from a recorded session to file bytes (docs/history.md).
        .target(name: "TreadExport", dependencies: ["TreadProtocol", "TreadCore"]),
        .target(
            name: "TreadDaemon",
            dependencies: [
                "CSandbox", "TreadCore", "TreadFiles", "TreadTraining", "TreadHardware", "TreadProtocol",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .executableTarget(
            name: "treadd",
            dependencies: [
                "TreadDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            // The static Swift runtime's link line exports every symbol (25,000) from the
            // executable; nothing looks them up, and the loader searched their hash table for
            // every library symbol it bound. Release only: the .deb's binary (docs/benchmarks.md,
            // "Memory"). Cores are symbolized from the unstripped build, kept by build-deb.sh.
            linkerSettings: [.unsafeFlags(["-Xlinker", "--no-export-dynamic"], .when(configuration: .release))]
        ),
        .executableTarget(
            name: "treadctl",
            dependencies: [
                "TreadProtocol", "TreadCore", "TreadFiles", "TreadTraining", "TreadExport", "TreadWorkouts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // One MQTT 5 connection on its owner's thread, over libmosquitto.
        .target(name: "TreadMQTT", dependencies: ["CMosquitto"]),
        // treadsync: treadd's outbox to the broker, QoS 1, delivered only once acknowledged (docs/fleet.md).
        .target(
            name: "TreadSync",
            dependencies: [
                "TreadMQTT", "TreadProtocol", "TreadFiles", "TreadCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "treadsync",
            dependencies: [
                "TreadSync", "TreadMQTT", "TreadFiles",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "treadsim",
            dependencies: [
                "TreadHardware", "TreadCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The member's console: a kiosk page and its event stream, fed by treadd's socket.
        .executableTarget(
            name: "treadconsole",
            dependencies: [
                "TreadProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["Page"],
            plugins: ["EmbedPage"]
        ),
        // Builds the console page from Sources/treadconsole/Page into the binary (the .deb ships no bundles).
        .plugin(name: "EmbedPage", capability: .buildTool(), dependencies: ["PageEmbedder"]),
        .executableTarget(name: "PageEmbedder"),
        .executableTarget(
            name: "treadbench",
            dependencies: [
                "TreadDaemon", "TreadHardware", "TreadCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The fleet's central ingest and reports over PostgreSQL (docs/fleet.md); the MQTT side calls FleetIngest.
        .target(
            name: "TreadFleet",
            dependencies: [
                "TreadProtocol",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "treadfleet",
            dependencies: [
                "TreadFleet", "TreadProtocol", "TreadMQTT",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Test support shared by the test targets: an in-process simulator, fixture edits, paths.
        .target(name: "TreadTesting", dependencies: ["TreadHardware", "TreadCore", "TreadFiles"], path: "Sources/TreadTesting"),
        .testTarget(name: "TreadCoreTests", dependencies: ["TreadCore", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "TreadFilesTests", dependencies: ["TreadFiles", "TreadCore"]),
        .testTarget(name: "TreadWorkoutsTests", dependencies: ["TreadWorkouts", "TreadFiles", "TreadCore"], exclude: ["Fixtures"]),
        .testTarget(name: "TreadTrainingTests", dependencies: ["TreadTraining", "TreadFiles", "TreadCore"]),
        .testTarget(
            name: "TreadHardwareTests",
            dependencies: ["TreadHardware", "TreadCore", "TreadTesting", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "TreadProtocolTests", dependencies: ["TreadProtocol"], exclude: ["Golden"]),
        // The encoders against the published TCX schema (xmllint) and two FIT readers (scripts/fit-summary.py).
        .testTarget(name: "TreadExportTests", dependencies: ["TreadExport", "TreadProtocol", "TreadTesting"], exclude: ["Fixtures"]),
        .testTarget(
            name: "TreadDaemonTests",
            dependencies: [
                "TreadDaemon", "TreadCore", "TreadHardware", "TreadProtocol", "TreadTesting",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // treadctl's formatting (status lines, the live panel, the man page), against snapshots.
        .testTarget(name: "TreadctlTests", dependencies: ["treadctl", "TreadProtocol", "TreadWorkouts", "TreadCore"], exclude: ["Snapshots"]),
        // Runs its own PostgreSQL (scripts/fleet/postgres.sh) and the treadfleet binary.
        .testTarget(
            name: "TreadFleetTests",
            dependencies: ["TreadFleet", "TreadProtocol", "TreadDaemon", "TreadCore", "TreadTraining", "TreadTesting",
                           .product(name: "PostgresNIO", package: "postgres-nio")]
        ),
        .testTarget(
            name: "TreadSyncTests",
            dependencies: [
                "TreadSync", "TreadMQTT", "TreadDaemon", "TreadProtocol", "TreadCore", "TreadTesting",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "TreadProtocol", "TreadHardware", "TreadTesting",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ]
        ),
    ]
)

// The libFuzzer harness (docs/fuzzing.md, scripts/fuzz.sh) exists only when asked for: it must be
// built with -sanitize=fuzzer and -parse-as-library, which the normal build and tests are not.
if Context.environment["TREADD_FUZZ"] != nil {
    package.products.append(.executable(name: "treadfuzz", targets: ["treadfuzz"]))
    package.targets.append(
        .executableTarget(
            name: "treadfuzz",
            dependencies: [
                "TreadCore", "TreadFiles", "TreadHardware", "TreadProtocol", "TreadDaemon", "TreadTesting",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Fuzz/treadfuzz"
        ))
}

// The sanitizer builds (scripts/sanitize.sh) run treadd's thread suites; the fleet's processes
// (treadsync, treadfleet and their libraries and tests) are not among them, and postgres-nio's
// TLS stack alone is minutes of an ASan or TSan build, so those builds leave the fleet out.
if Context.environment["TREADD_WITHOUT_FLEET"] != nil {
    let fleet: Set<String> = ["CMosquitto", "TreadMQTT", "TreadSync", "treadsync", "TreadSyncTests",
                              "TreadFleet", "treadfleet", "TreadFleetTests"]
    package.targets.removeAll { fleet.contains($0.name) }
    package.products.removeAll { fleet.contains($0.name) }
}
