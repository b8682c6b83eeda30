import Foundation
import Logging
import TreadCore
import TreadMQTT
import TreadProtocol

/// Publishes treadd's outbox to the broker, in order, QoS 1, and marks an entry delivered only
/// when the broker's PUBACK for it arrives. Runs on the thread that calls `run` (treadsync's
/// main thread): every libmosquitto call and callback is on it.
///
/// At least once, never lost: an entry is published again after a restart unless its PUBACK
/// was recorded, so the ingest upserts by the entry's UUID and a redelivery is one row.
public final class OutboxPublisher {
    public struct Stats: Sendable, Equatable {
        public var published = 0
        public var acknowledged = 0
        public var refused = 0
        public var connects = 0
        /// Members' fleet summaries kept for treadd.
        public var summaries = 0
    }

    private let config: SyncConfig
    private let logger: Logger
    private let connection: MQTTConnection
    private let outbox: OutboxReader
    private let ledger: SyncLedger
    private let members: MemberSummaryFolder?
    public private(set) var stats = Stats()

    /// Sent and not yet acknowledged, by message id. libmosquitto resends these itself after a
    /// reconnect, so they are not published again while this process lives.
    private var inflight: [Int32: OutboxEntry] = [:]
    private var inflightSeqs: Set<Int64> = []
    /// Entries the broker refused (PUBACK >= 128), held back until the instant given.
    private var heldUntil: [Int64: ContinuousClock.Instant] = [:]
    private var backoff: Backoff
    private var nextAttempt = ContinuousClock.now
    private var awaitingConnack = false
    private var triedBefore = false
    private var lastScan: ContinuousClock.Instant?
    private var scanDue = true
    /// The last scan stopped at `maxInflight` with entries left: a PUBACK starts the next one.
    private var windowFull = false
    private var lastProblem: String?

    public init(config: SyncConfig, logger: Logger, connection: MQTTConnection, outbox: OutboxReader, ledger: SyncLedger) {
        self.config = config
        self.logger = logger
        self.connection = connection
        self.outbox = outbox
        self.ledger = ledger
        members = config.membersDirectory.map(MemberSummaryFolder.init(path:))
        backoff = Backoff(first: config.retryFirst, most: config.retryMax)
    }

    /// Where the ingest asks for entries again (it found a gap in this machine's sequence).
    public var resendTopic: String { FleetResendRequest.topic(site: config.site, machine: config.machine) }

    /// Runs until `stop` returns true (checked at least every 100 ms), then waits up to
    /// `drain` for the PUBACKs of what is in flight (so a clean stop sends nothing twice) and
    /// disconnects.
    public func run(drain: Duration = .seconds(3), until stop: () -> Bool) {
        while !stop() { step() }
        let deadline = ContinuousClock.now + drain
        while connection.isConnected, !inflight.isEmpty, ContinuousClock.now < deadline {
            for event in connection.poll(timeout: .milliseconds(100)) { handle(event) }
        }
        connection.disconnect()
        logger.info("disconnected from the broker", metadata: ["in_flight": "\(inflight.count)"])
    }

    /// One turn: connect when due, exchange with the broker for up to 100 ms, publish what fits.
    public func step() {
        let now = ContinuousClock.now
        if !connection.isConnected && !awaitingConnack {
            guard now >= nextAttempt else {
                Thread.sleep(forTimeInterval: min(0.1, (nextAttempt - now).inSeconds))
                return
            }
            do throws(MQTTError) {
                if triedBefore { try connection.reconnect() } else { try connection.connect() }
                triedBefore = true
                awaitingConnack = true
                nextAttempt = now + config.broker.keepalive
            } catch {
                triedBefore = true
                problem("cannot reach the broker; the outbox keeps every entry, retrying", "\(error)")
                nextAttempt = now + backoff.failed()
                return
            }
        }
        for event in connection.poll(timeout: .milliseconds(100)) { handle(event) }
        if awaitingConnack, ContinuousClock.now >= nextAttempt {
            awaitingConnack = false
            problem("the broker did not answer CONNECT; retrying", "no CONNACK within \(config.broker.keepalive)")
            connection.disconnect()
            nextAttempt = ContinuousClock.now + backoff.failed()
        }
        if connection.isConnected { publishDue() }
    }

    private func handle(_ event: MQTTEvent) {
        switch event {
        case .connected(let sessionPresent):
            awaitingConnack = false
            backoff.succeeded()
            stats.connects += 1
            logger.notice("connected to the broker", metadata: [
                "broker": "\(config.broker.host):\(config.broker.port)", "session_present": "\(sessionPresent)",
                "in_flight": "\(inflight.count)", "acknowledged_up_to": "\(ledger.watermark)",
            ])
            lastProblem = nil
            scanDue = true
            do throws(MQTTError) { try connection.subscribe(resendTopic) } catch {
                logger.error("cannot subscribe to resend requests", metadata: ["error": "\(error)"])
            }
            if members != nil {
                do throws(MQTTError) { try connection.subscribe(FleetMemberSummary.topicFilter) } catch {
                    logger.error("cannot subscribe to members' summaries", metadata: ["error": "\(error)"])
                }
            }
        case .refused(let reason):
            awaitingConnack = false
            problem("the broker refused the connection (check the username, password and certificate); retrying", reason)
            connection.disconnect()
            nextAttempt = ContinuousClock.now + backoff.failed()
        case .disconnected(let reason):
            awaitingConnack = false
            if lastProblem == nil { logger.warning("lost the broker; the outbox keeps every entry", metadata: ["reason": "\(reason)"]) }
            lastProblem = reason
            nextAttempt = ContinuousClock.now + backoff.failed()
        case .acknowledged(let mid, let code):
            guard let entry = inflight.removeValue(forKey: mid) else { return }
            inflightSeqs.remove(entry.seq)
            if windowFull { scanDue = true }
            if code < 128 {
                do throws(SyncError) {
                    try ledger.acknowledge(entry.seq, at: Date().timeIntervalSince1970)
                    stats.acknowledged += 1
                    logger.debug("acknowledged", metadata: ["seq": "\(entry.seq)", "id": "\(entry.id)"])
                } catch {
                    // Not recorded: it is published again later, and the ingest's upsert absorbs it.
                    logger.error("cannot record an acknowledgement; the entry will be sent again", metadata: ["error": "\(error)"])
                }
            } else {
                stats.refused += 1
                heldUntil[entry.seq] = ContinuousClock.now + config.retryMax
                logger.error("the broker refused an entry; it stays in the outbox and is retried", metadata: [
                    "seq": "\(entry.seq)", "id": "\(entry.id)", "reason_code": "\(code)",
                ])
            }
        case .message(let topic, let payload, _):
            if topic == resendTopic { resend(payload) } else if let members, topic.hasPrefix("treadfleet/members/") {
                do throws(MemberSummaryFolder.Refusal) {
                    let member = try members.keep(payload)
                    stats.summaries += 1
                    logger.debug("kept a member's fleet summary", metadata: ["member": "\(member)"])
                } catch {
                    logger.warning("ignored a member summary", metadata: ["topic": "\(topic)", "reason": "\(error)"])
                }
            }
        case .subscribed:
            break
        }
    }

    /// `{"from_seq": N}` from the ingest: publish everything from N again.
    private func resend(_ payload: [UInt8]) {
        guard let r = try? JSONDecoder().decode(FleetResendRequest.self, from: Data(payload)), r.fromSeq >= 1 else {
            logger.warning("ignored a malformed resend request", metadata: ["bytes": "\(payload.count)"])
            return
        }
        do throws(SyncError) {
            try ledger.forget(from: r.fromSeq)
            logger.notice("the ingest asked for entries again", metadata: ["from_seq": "\(r.fromSeq)"])
            scanDue = true
        } catch {
            logger.error("cannot honour a resend request", metadata: ["error": "\(error)"])
        }
    }

    private func publishDue() {
        let now = ContinuousClock.now
        guard inflight.count < config.maxInflight else { return }
        guard scanDue || lastScan.map({ now - $0 >= config.scanInterval }) ?? true else { return }
        lastScan = now
        let limit = config.maxInflight + inflight.count + ledger.ackedAbove.count + heldUntil.count
        let entries: [OutboxEntry]
        do throws(SyncError) { entries = try outbox.entries(after: ledger.watermark, limit: limit) } catch {
            problem("cannot read the outbox; retrying", "\(error)")
            scanDue = false
            return
        }
        var room = config.maxInflight - inflight.count
        for e in entries where room > 0 && !ledger.isAcknowledged(e.seq) && !inflightSeqs.contains(e.seq) {
            if let until = heldUntil[e.seq] {
                if now < until { continue }
                heldUntil[e.seq] = nil
            }
            guard let kind = e.kind else {
                logger.warning("skipped an outbox entry of a kind this treadsync does not know", metadata: ["seq": "\(e.seq)", "id": "\(e.id)"])
                try? ledger.acknowledge(e.seq, at: Date().timeIntervalSince1970)
                continue
            }
            do throws(MQTTError) {
                let mid = try connection.publish(topic: config.topic(kind.topicLeaf),
                                                 payload: Envelope.encode(e, kind: kind, site: config.site, machine: config.machine))
                inflight[mid] = e
                inflightSeqs.insert(e.seq)
                stats.published += 1
                logger.debug("published", metadata: ["seq": "\(e.seq)", "id": "\(e.id)", "kind": "\(kind.rawValue)"])
                room -= 1
            } catch {
                problem("cannot publish; retrying", "\(error)")
                break
            }
        }
        // A full page means more is waiting: look again at once, or, when the in-flight
        // window is what stopped this scan, as soon as a PUBACK makes room.
        scanDue = entries.count == limit && room > 0
        windowFull = room == 0
    }

    /// Logs a problem once until it changes or the connection recovers.
    private func problem(_ message: Logger.Message, _ detail: String) {
        guard detail != lastProblem else { return }
        lastProblem = detail
        logger.error(message, metadata: ["error": "\(detail)"])
    }
}
