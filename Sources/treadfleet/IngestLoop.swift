import Foundation
import Logging
import TreadFleet
import TreadMQTT
import TreadProtocol

extension Duration {
    fileprivate var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// The broker side of the ingest, on a thread of its own (libmosquitto blocks): receives,
/// hands each message to `FleetIngest` and waits for it to be final before reading the next.
/// libmosquitto acknowledges a QoS 1 message before the callback sees it, so holding the loop
/// while PostgreSQL is away is what keeps the rest in the broker's session instead of here.
final class IngestLoop: @unchecked Sendable {
    private let settings: MQTTSettings
    private let pattern: String
    private let ingest: FleetIngest
    private let logger: Logger
    /// How long a hole in a machine's sequence may stay before the machine is asked to resend.
    private let resendAfter: Duration
    private(set) var stored = 0
    private(set) var duplicates = 0
    private(set) var deadLettered = 0
    private(set) var resendsAsked = 0
    private(set) var summariesPublished = 0
    /// Members with a session stored since their summary was last published, by lowercased name.
    private var membersChanged: [String: String] = [:]
    static let summaryInterval = 1.0

    init(settings: MQTTSettings, pattern: String, ingest: FleetIngest, resendAfter: Duration, logger: Logger) throws {
        self.settings = settings
        self.resendAfter = resendAfter
        self.pattern = pattern
        self.ingest = ingest
        self.logger = logger
    }

    /// Runs until `stop` holds; returns when the thread has disconnected.
    func run(until stop: @escaping @Sendable () -> Bool) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let t = Thread { [self] in
                serve(until: stop)
                done.resume()
            }
            t.name = "treadfleet-mqtt"
            t.start()
        }
    }

    private func serve(until stop: () -> Bool) {
        let connection: MQTTConnection
        do { connection = try MQTTConnection(settings) } catch {
            logger.critical("cannot set up the MQTT client", metadata: ["error": "\(error)"])
            return
        }
        var retry = 1.0
        var next = Date()
        var tried = false
        var lastProblem: String?
        var awaitingConnack = false
        var nextGapCheck = Date()
        var nextSummaries = Date()
        while !stop() {
            if connection.isConnected, Date() >= nextGapCheck {
                askForMissing(on: connection)
                nextGapCheck = Date().addingTimeInterval(resendAfter.inSeconds / 2)
            }
            // At most one summary per member a second: a backlog of one member's sessions
            // (a machine back from an outage) is one summary, not one per session.
            if connection.isConnected, !membersChanged.isEmpty, Date() >= nextSummaries {
                for member in membersChanged.values.sorted() { publishSummary(of: member, on: connection) }
                membersChanged.removeAll()
                nextSummaries = Date().addingTimeInterval(Self.summaryInterval)
            }
            if !connection.isConnected && !awaitingConnack {
                if Date() < next { Thread.sleep(forTimeInterval: 0.1); continue }
                do {
                    if tried { try connection.reconnect() } else { try connection.connect() }
                } catch {
                    if "\(error)" != lastProblem { logger.error("cannot reach the broker; retrying", metadata: ["error": "\(error)"]) }
                    lastProblem = "\(error)"
                    next = Date().addingTimeInterval(retry)
                    retry = min(retry * 2, 30)
                    tried = true
                    continue
                }
                tried = true
                awaitingConnack = true
                next = Date().addingTimeInterval(settings.keepalive.inSeconds)
            }
            if awaitingConnack, Date() >= next {
                logger.error("the broker did not answer CONNECT; retrying")
                awaitingConnack = false
                connection.disconnect()
                next = Date().addingTimeInterval(retry)
                continue
            }
            for event in connection.poll(timeout: .milliseconds(100)) {
                switch event {
                case .connected(let present):
                    awaitingConnack = false
                    retry = 1
                    lastProblem = nil
                    logger.notice("connected to the broker", metadata: ["session_present": "\(present)"])
                    do { try connection.subscribe(pattern) } catch {
                        logger.error("cannot subscribe", metadata: ["error": "\(error)"])
                    }
                case .refused(let reason):
                    awaitingConnack = false
                    logger.error("the broker refused the connection; retrying", metadata: ["reason": "\(reason)"])
                    next = Date().addingTimeInterval(retry)
                    retry = min(retry * 2, 30)
                case .disconnected(let reason):
                    awaitingConnack = false
                    logger.warning("lost the broker; its session keeps our messages", metadata: ["reason": "\(reason)"])
                    next = Date().addingTimeInterval(retry)
                case .message(let topic, let payload, _):
                    if case .stored(.session, _) = store(topic: topic, payload: payload, stop: stop),
                       case .success(let decoded) = FleetMessageDecoder.decode(topic: topic, payload: payload),
                       case .session(let envelope) = decoded.message, let member = envelope.body.member {
                        membersChanged[member.lowercased()] = member
                    }
                case .subscribed(_, let granted):
                    // 128 and above: the broker refused the subscription (an ACL, a bad pattern).
                    if granted.contains(where: { $0 >= 128 }) {
                        logger.error("the broker refused the subscription", metadata: ["subscription": "\(pattern)", "granted": "\(granted)"])
                    } else {
                        logger.info("subscribed", metadata: ["subscription": "\(pattern)", "qos": "\(granted)"])
                    }
                case .acknowledged:
                    break
                }
            }
        }
        connection.disconnect()
    }

    /// Asks each machine with a hole in its sequence (older than `resendAfter`) to publish again
    /// from the first missing entry: a message the broker lost, or one libmosquitto had
    /// acknowledged before a killed ingest stored it, comes back from the machine's outbox.
    private func askForMissing(on connection: MQTTConnection) {
        let found: Result<[DueResend], FleetDatabaseError> = Self.blocking {
            do throws(FleetDatabaseError) { return .success(try await self.ingest.database.resendsDue(grace: self.resendAfter)) } catch { return .failure(error) }
        }
        let due: [DueResend]
        switch found {
        case .success(let d): due = d
        case .failure(let error):
            logger.error("cannot look for holes in the machines' sequences", metadata: ["error": "\(error)"])
            return
        }
        for d in due {
            guard let payload = try? JSONEncoder().encode(d.request) else { continue }
            do throws(MQTTError) {
                _ = try connection.publish(topic: d.topic, payload: Array(payload))
                resendsAsked += 1
                logger.warning("a machine's sequence has a hole; asked it to publish again",
                               metadata: ["site": "\(d.site)", "machine": "\(d.machine)", "from_seq": "\(d.request.fromSeq)"])
            } catch {
                logger.error("cannot ask a machine to publish again", metadata: ["machine": "\(d.machine)", "error": "\(error)"])
            }
        }
    }

    /// Blocks this thread until the message is final (stored, a duplicate, stale or
    /// dead-lettered), retrying while PostgreSQL is unavailable.
    @discardableResult
    private func store(topic: String, payload: [UInt8], stop: () -> Bool) -> IngestOutcome? {
        var wait = 0.5
        while true {
            let outcome = Self.blocking { await self.ingest.ingest(topic: topic, payload: payload) }
            switch outcome {
            case .stored: stored += 1
            case .duplicate, .stale: duplicates += 1
            case .clockWentBack:
                duplicates += 1
                logger.warning("a machine's clock went back: its counters are not kept until its clock passes the snapshot kept",
                               metadata: ["topic": "\(topic)", "outcome": "\(outcome)"])
            case .deadLettered(let reason):
                deadLettered += 1
                logger.warning("message dead-lettered", metadata: ["topic": "\(topic)", "reason": "\(reason)"])
            case .unavailable(let error):
                logger.error("PostgreSQL unavailable; holding the message and retrying", metadata: ["topic": "\(topic)", "error": "\(error)"])
                if stop() {
                    logger.critical("stopping with a message not stored: the machine's resend brings it back", metadata: ["topic": "\(topic)"])
                    return nil
                }
                Thread.sleep(forTimeInterval: wait)
                wait = min(wait * 2, 10)
                continue
            }
            logger.debug("\(outcome)", metadata: ["topic": "\(topic)"])
            return outcome
        }
    }

    /// Publishes the member's last 35 days from every machine, retained, so each machine's
    /// treadsync has it for the +10% check the next time the member starts there. A failure
    /// is logged: the next session of that member publishes it again.
    private func publishSummary(of member: String, on connection: MQTTConnection) {
        let made: Result<FleetMemberSummary, FleetDatabaseError> = Self.blocking {
            do throws(FleetDatabaseError) { return .success(try await self.ingest.database.memberSummary(name: member, now: Date())) } catch { return .failure(error) }
        }
        do {
            let summary = try made.get()
            let payload = try JSONEncoder().encode(summary)
            _ = try connection.publish(topic: FleetMemberSummary.topic(member: member), payload: Array(payload), retain: true)
            summariesPublished += 1
        } catch {
            logger.error("cannot publish a member's summary", metadata: ["member": "\(member)", "error": "\(error)"])
        }
    }

    /// Runs async work from this dedicated thread and waits for it (never on the pool).
    private static func blocking<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: T?
        Task {
            result = await work()
            done.signal()
        }
        done.wait()
        return result!
    }
}
