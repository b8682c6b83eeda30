import Foundation
import Logging
import TreadHardware

/// Writes history records on a thread of its own, fed by a bounded buffer.
///
/// `offer` never blocks and never waits on the disk: it appends under a short lock, or, when
/// the buffer is full (the disk is slow, full, or the database is locked or read-only), drops
/// the record and counts it. The thread opens the database (retrying until it can), writes
/// what is buffered in one transaction, and on failure keeps the batch, logs the error once,
/// shows it in `health`, and retries with a growing back-off. The control loop only ever calls
/// `offer` and reads `health`.
public final class HistoryWriter: @unchecked Sendable {
    public let path: String
    public let capacity: Int
    private let logger: Logger
    private let open: @Sendable (String) throws(HistoryError) -> HistoryStore
    private let cond = NSCondition()
    // Guarded by `cond`. The writer swaps `buffer` out whole, so the control thread never
    // waits behind a copy: every critical section is O(1) but for `offer`'s own append.
    private var buffer: [HistoryRecord] = []
    /// Records taken by the writer and not yet committed; they count against `capacity`.
    private var inFlight = 0
    private var closing = false
    private var finished = false
    private let state: Locked<HistoryHealth>
    private let storeBox = Locked<HistoryStore?>(nil)

    /// Back-off between retries after a failure: first, then doubling up to the maximum.
    static let firstRetry = Duration.milliseconds(250)
    static let maxRetry = Duration.seconds(5)

    public init(path: String, capacity: Int, logger: Logger,
                open: @escaping @Sendable (String) throws(HistoryError) -> HistoryStore = { p throws(HistoryError) in try HistoryStore(path: p) }) {
        self.path = path
        self.capacity = max(1, capacity)
        self.logger = logger
        self.open = open
        state = Locked(HistoryHealth(state: "starting", path: path))
    }

    /// What the status shows: ok, failing (with the error), records waiting, records dropped.
    public var health: HistoryHealth {
        var h = state.withLock { $0 }
        cond.lock()
        h.pending = buffer.count + inFlight
        cond.unlock()
        return h
    }

    /// The open store, for readers; nil until the writer has opened it.
    public var store: HistoryStore? { storeBox.withLock { $0 } }

    /// Queues a record for writing. Never blocks on the disk; returns false when the record
    /// was dropped because the buffer is full.
    @discardableResult
    public func offer(_ record: HistoryRecord) -> Bool {
        cond.lock()
        defer { cond.unlock() }
        guard buffer.count + inFlight < capacity, !finished else {
            state.withLock { $0.dropped += 1 }
            return false
        }
        buffer.append(record)
        cond.signal()
        return true
    }

    /// Waits (up to `timeout`) until what was offered before the call is written, so a read
    /// sees it. For readers off the control thread only; false when the disk did not keep up.
    @discardableResult
    public func drain(timeout: Duration) -> Bool {
        let deadline = Date().addingTimeInterval(timeout.inSeconds)
        cond.lock()
        defer { cond.unlock() }
        while !buffer.isEmpty || inFlight > 0, !finished {
            if !cond.wait(until: deadline) { return buffer.isEmpty && inFlight == 0 }
        }
        return true
    }

    /// The open store, waiting up to `timeout` while the writer is still opening it (just after
    /// start-up); nil at once when opening has failed (`health` says why).
    public func openedStore(timeout: Duration) -> HistoryStore? {
        let deadline = Date().addingTimeInterval(timeout.inSeconds)
        cond.lock()
        defer { cond.unlock() }
        while true {
            if let s = store { return s }
            if state.withLock({ $0.state }) == "failing" || finished { return nil }
            if !cond.wait(until: deadline) { return store }
        }
    }

    public func start() {
        let t = Thread { [self] in run() }
        t.name = "treadd-history"
        t.qualityOfService = .utility
        t.start()
    }

    /// Writes what is buffered (waiting up to `timeout` for the disk), then ends the thread.
    public func close(timeout: Duration = .seconds(3)) {
        let deadline = Date().addingTimeInterval(timeout.inSeconds)
        cond.lock()
        closing = true
        cond.broadcast()
        while !finished, Date() < deadline { _ = cond.wait(until: deadline) }
        finished = true
        cond.unlock()
    }

    private func run() {
        var retry = Self.firstRetry
        var store: HistoryStore?
        var lastError: String?
        // Taken from `buffer`, kept until committed (a failed batch is retried whole).
        var batch: [HistoryRecord] = []
        while true {
            var fresh: [HistoryRecord] = []
            fresh.reserveCapacity(min(capacity, 1024))
            cond.lock()
            while buffer.isEmpty, batch.isEmpty, !closing, store != nil { cond.wait() }
            if batch.isEmpty {
                swap(&batch, &buffer)
                buffer = fresh
                inFlight = batch.count
            }
            let quitting = closing
            cond.unlock()

            do throws(HistoryError) {
                if store == nil {
                    let s = try open(path)
                    store = s
                    storeBox.withLock { $0 = s }
                    cond.lock(); cond.broadcast(); cond.unlock()
                    if s.recoveredSessions > 0 {
                        logger.warning("sessions cut short by a crash or power loss recorded as interrupted",
                                       metadata: ["count": "\(s.recoveredSessions)", "path": "\(path)"])
                    }
                }
                if !batch.isEmpty { try store!.write(batch) }
                batch = []
                cond.lock()
                inFlight = 0
                let empty = buffer.isEmpty
                cond.broadcast()
                cond.unlock()
                if lastError != nil { logger.notice("history database writable again", metadata: ["path": "\(path)"]) }
                lastError = nil
                retry = Self.firstRetry
                state.withLock { $0.state = "ok"; $0.error = nil }
                if quitting && empty { break }
            } catch {
                if error.message != lastError {
                    logger.error("cannot write the workout history; the belt is not affected, writes are retried",
                                 metadata: ["path": "\(path)", "error": "\(error.message)"])
                    lastError = error.message
                }
                state.withLock { $0.state = "failing"; $0.error = error.description; $0.failures += 1 }
                if quitting { break }
                cond.lock()
                cond.broadcast()  // readers waiting for the store learn it failed
                _ = cond.wait(until: Date().addingTimeInterval(retry.inSeconds))
                cond.unlock()
                retry = min(retry * 2, Self.maxRetry)
            }
        }
        cond.lock()
        finished = true
        cond.broadcast()
        cond.unlock()
    }
}

/// The history writer's condition, as `status` shows it.
public struct HistoryHealth: Sendable, Equatable {
    /// starting, ok or failing.
    public var state: String
    public var path: String
    public var error: String?
    public var pending = 0
    public var dropped = 0
    public var failures = 0

    public init(state: String, path: String) {
        self.state = state
        self.path = path
    }
}
