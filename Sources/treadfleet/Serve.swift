import ArgumentParser
import Foundation
import Glibc
import Logging
import TreadFleet
import TreadMQTT

/// Set by SIGTERM or SIGINT; the MQTT thread looks at it at least every 100 ms.
nonisolated(unsafe) private var terminated: sig_atomic_t = 0

/// The ingest: every machine's messages from the broker into PostgreSQL, by UUID. Several
/// instances share the load through one MQTT shared subscription.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Subscribe to every machine's topics and store what arrives (what the ingest unit runs).",
        discussion: """
            Subscribes to treadd/+/+/+ (or $share/<group>/treadd/+/+/+ with --group) with QoS 1 on a persistent session, and
            upserts each message by its id, so a redelivered message is one row. A message that
            cannot be used is kept in dead_letters with the reason. While PostgreSQL cannot be
            reached, the message in hand is retried with a back-off and nothing more is read:
            the broker keeps the rest for this session.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "MQTT broker host.") var mqttHost = "127.0.0.1"
    @Option(help: "MQTT broker port (8883 with --mqtt-ca-file).") var mqttPort: Int?
    @Option(help: "MQTT username.") var mqttUsername: String?
    @Option(help: ArgumentHelp("File holding the MQTT password, first line.", valueName: "path")) var mqttPasswordFile: String?
    @Option(help: ArgumentHelp("CA certificate: TLS to the broker.", valueName: "path")) var mqttCaFile: String?
    @Option(help: ArgumentHelp("Client certificate.", valueName: "path")) var mqttCertFile: String?
    @Option(help: ArgumentHelp("Client key.", valueName: "path")) var mqttKeyFile: String?
    @Option(help: "MQTT client id (stable: the broker keeps the session under it).") var clientID = "treadfleet-\(ProcessInfo.processInfo.hostName)"
    @Option(help: """
        Shared-subscription group: instances in one group share the messages. Empty (the default)         subscribes plainly: Mosquitto 2.0 queues for an offline persistent session only then.
        """) var group = ""

    @Option(help: ArgumentHelp("Seconds a hole in a machine's sequence may stay before that machine is asked to publish again.", valueName: "seconds"))
    var resendAfter: Double = 30

    func validate() throws {
        guard resendAfter > 0, resendAfter <= 86_400 else { throw ValidationError("--resend-after must be above 0 and at most 86400 seconds, got \(resendAfter)") }
    }

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let logger = Logger(label: "treadfleet")
        var none = sigset_t()
        sigemptyset(&none)
        sigprocmask(SIG_SETMASK, &none, nil)
        signal(SIGTERM) { _ in terminated = 1 }
        signal(SIGINT) { _ in terminated = 1 }
        signal(SIGPIPE, SIG_IGN)

        var settings = MQTTSettings(host: mqttHost, port: mqttPort ?? (mqttCaFile != nil ? 8883 : 1883), clientID: clientID)
        settings.username = mqttUsername
        if let path = mqttPasswordFile {
            do { settings.password = String((try String(contentsOfFile: path, encoding: .utf8)).split(separator: "\n").first ?? "") } catch {
                throw FleetCLIError.unreadable(path: path, reason: (error as NSError).localizedDescription)
            }
        }
        settings.caFile = mqttCaFile
        settings.certFile = mqttCertFile
        settings.keyFile = mqttKeyFile

        let database = FleetDatabase(configuration: try connection.configuration())
        defer { Task { await database.close() } }
        // PostgreSQL may come up after us: migrate once it answers.
        var wait = 1.0
        while terminated == 0 {
            do {
                let applied = try await database.migrate()
                logger.info("schema ready", metadata: ["migrations_applied": "\(applied)"])
                break
            } catch {
                logger.error("PostgreSQL not ready; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(wait))
                wait = min(wait * 2, 30)
            }
        }
        let ingest = FleetIngest(database: database)
        let pattern = group.isEmpty ? "treadd/+/+/+" : "$share/\(group)/treadd/+/+/+"
        logger.info("treadfleet serving", metadata: ["broker": "\(settings.host):\(settings.port)", "subscription": "\(pattern)"])
        let loop = try IngestLoop(settings: settings, pattern: pattern, ingest: ingest, resendAfter: .milliseconds(Int64(resendAfter * 1000)), logger: logger)
        await loop.run { terminated != 0 }
        logger.info("treadfleet stopped", metadata: ["stored": "\(loop.stored)", "duplicates": "\(loop.duplicates)", "dead_lettered": "\(loop.deadLettered)", "resends_asked": "\(loop.resendsAsked)"])
    }
}
