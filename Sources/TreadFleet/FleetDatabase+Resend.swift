import PostgresNIO
import TreadProtocol

/// One machine to ask for its entries again, from the first seq that never arrived.
public struct DueResend: Sendable, Hashable {
    public var site: String
    public var machine: String
    public var request: FleetResendRequest
    public var topic: String { FleetResendRequest.topic(site: site, machine: machine) }
    public init(site: String, machine: String, request: FleetResendRequest) {
        self.site = site; self.machine = machine; self.request = request
    }
}

extension FleetDatabase {
    /// The machines whose sequence has had a hole for at least `grace` and that were not asked
    /// within `grace`, each marked as asked now. A hole younger than that is most likely a
    /// message still on its way (another ingest instance holds it, or the broker redelivers);
    /// asking again after `grace` covers a request or a resend that was itself lost.
    public func resendsDue(grace: Duration) async throws(FleetDatabaseError) -> [DueResend] {
        let seconds = Double(grace.components.seconds) + Double(grace.components.attoseconds) / 1e18
        return try await withConnection { connection, logger in
            let rows = try await connection.query("""
                UPDATE machines SET resend_asked_at = now()
                WHERE last_seq > contiguous_seq
                  AND gap_since <= now() - make_interval(secs => \(seconds))
                  AND (resend_asked_at IS NULL OR resend_asked_at <= now() - make_interval(secs => \(seconds)))
                RETURNING site, machine, contiguous_seq + 1
                """, logger: logger)
            var due: [DueResend] = []
            for try await (site, machine, from) in rows.decode((String, String, Int64).self) {
                due.append(DueResend(site: site, machine: machine, request: FleetResendRequest(fromSeq: from)))
            }
            return due
        }
    }
}
