import ArgumentParser
import TreadSync

/// What a technician asks first when the fleet view lags: how much is waiting here.
struct Pending: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show how many outbox entries the broker has not acknowledged.")

    @OptionGroup var options: ConfigOption

    func run() throws {
        let c: SyncConfig
        do { c = try SyncConfig.load(path: options.config) } catch {
            throw ValidationError("\(error)")
        }
        let outbox = try OutboxReader(path: c.historyPath)
        let ledger = try SyncLedger(path: c.ledgerPath)
        let last = try outbox.lastSeq()
        let waiting = try outbox.entries(after: ledger.watermark, limit: Int.max).filter { !ledger.isAcknowledged($0.seq) }
        print("outbox: \(last) entries, acknowledged up to \(ledger.watermark), \(waiting.count) waiting")
    }
}
