import Foundation
import TreadCore
import TreadHardware

/// Time that moves only when a test moves it, for a drive link's thread: its waits end when
/// `advance` passes their deadline (or when the link is signalled), never on their own.
public final class ManualClock: ThreadClock, @unchecked Sendable {
    private let lock = NSCondition()
    private var time: Instant
    private var waiting: [ObjectIdentifier: PriorityInheritingCondition] = [:]

    public init(at start: Instant = .seconds(1000)) { time = start }

    public func now() -> Instant { lock.withLock { time } }

    public func wait(on cond: PriorityInheritingCondition, until deadline: Instant) {
        // Registered before the time is looked at: an `advance` either sees this waiter (and
        // wakes it, once the caller's lock is released by the wait) or happened before the look.
        let id = ObjectIdentifier(cond)
        lock.lock()
        waiting[id] = cond
        let due = time >= deadline
        lock.broadcast()
        lock.unlock()
        if !due { cond.wait() }
        lock.withLock { waiting[id] = nil }
    }

    /// Waits until a thread is waiting on this clock, without moving time: after it, that
    /// thread acts again only when signalled. False when none came within `timeout`.
    public func awaitWaiter(timeout: TimeInterval = 5) -> Bool {
        let limit = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while waiting.isEmpty {
            if !lock.wait(until: limit) { return false }
        }
        return true
    }

    /// Waits until a thread is waiting on this clock (its deadline then counts from the time
    /// before the move), moves time on, and wakes every waiter to look at it. False when no
    /// thread came to wait within `timeout` of real time.
    @discardableResult
    public func advance(by d: Duration, timeout: TimeInterval = 5) -> Bool {
        let limit = Date().addingTimeInterval(timeout)
        lock.lock()
        while waiting.isEmpty {
            if !lock.wait(until: limit) { lock.unlock(); return false }
        }
        time = time + d
        let conds = Array(waiting.values)
        lock.unlock()
        for c in conds {
            c.lock()
            c.broadcast()
            c.unlock()
        }
        return true
    }
}
