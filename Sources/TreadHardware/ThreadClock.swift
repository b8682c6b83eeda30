import TreadCore

/// The time a supervised thread (the drive link, the control loop) runs on: the instants its
/// rules are fed, its heartbeat and its waits. The daemon gives both the monotonic clock;
/// tests give them a manual clock, so their timing (setpoint lifetime, polls, the tick
/// schedule) runs on time the test moves, not on sleeps.
public protocol ThreadClock: Sendable {
    func now() -> Instant
    /// Waits on `cond`, which the caller holds, until it is signalled or `deadline` has passed
    /// on this clock. May return early; the caller checks its own condition again.
    func wait(on cond: PriorityInheritingCondition, until deadline: Instant)
}

/// CLOCK_MONOTONIC, the clock a running treadd's threads use.
public struct MonotonicThreadClock: ThreadClock {
    public init() {}
    public func now() -> Instant { MonotonicClock.now() }
    public func wait(on cond: PriorityInheritingCondition, until deadline: Instant) {
        let left = deadline - MonotonicClock.now()
        if left > .zero { cond.wait(timeout: left) }
    }
}
