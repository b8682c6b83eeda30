import TreadCore

/// When the control loop's next scheduled tick is due, apart from the loop's thread and clock,
/// so the rule is tested with time fed in. Requests and input edges bring ticks forward; the
/// schedule stays as it was for those (advancing it on every early tick let a burst of
/// requests or a chattering input push the next scheduled tick seconds away, stalling the
/// loop). A tick that starts late skips the missed ones instead of bursting to catch up.
struct TickSchedule: Hashable, Sendable {
    let period: Duration
    /// The next scheduled tick.
    private(set) var due: Instant

    init(period: Duration, from start: Instant) {
        self.period = period
        self.due = start
    }

    /// A tick began at `now`; returns when the loop should next wake for a scheduled tick.
    mutating func ticked(at now: Instant) -> Instant {
        if now >= due {
            due = due + period
            if due < now { due = now + period }
        }
        return due
    }
}
