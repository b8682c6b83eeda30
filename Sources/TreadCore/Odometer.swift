/// What the belt has done while this treadd runs, measured from the drive's fresh reports:
/// the live part of the machine's health counters (the persisted part is the history's).
/// Gym operators service a belt by distance and a motor by hours, so both count only what the
/// drive reported, never what a program asked for. Pure arithmetic, fed once per tick.
public struct Odometer: Hashable, Sendable {
    /// Metres, both directions, and the backwards part of them.
    public private(set) var distance = 0.0
    public private(set) var reverseDistance = 0.0
    /// Time the belt moved faster than standstill.
    public private(set) var runningTime = Duration.zero
    /// Changes of the direction the belt moved in (each one came through verified standstill).
    public private(set) var directionChanges = 0
    public private(set) var railReleases = 0
    /// Latched faults by reason code.
    public private(set) var faults: [String: Int] = [:]
    /// The direction of the last movement, kept across standstill so forward, stop, reverse
    /// counts as one change.
    private var lastDirection: Direction?

    public init() {}

    /// Adds `dt` of the belt as the drive reported it (`speed` nil: no fresh report). A missing
    /// or stale report adds nothing: an odometer that guesses is worse than one that
    /// undercounts an outage.
    public mutating func add(speed: Speed?, direction: Direction?, standstill: Speed, over dt: Duration) {
        guard let speed, speed > standstill, dt > .zero, let direction else { return }
        let metres = speed.metresPerSecond * dt.inSeconds
        distance += metres
        if direction == .reverse { reverseDistance += metres }
        runningTime += dt
        if let last = lastDirection, last != direction { directionChanges += 1 }
        lastDirection = direction
    }

    /// Counts the tick's rail releases and latched faults.
    public mutating func count(_ events: [TreadEvent]) {
        for e in events {
            switch e {
            case .railWarning: railReleases += 1
            case .faultLatched(let f): faults[f.code, default: 0] += 1
            case .directionChangeAnnounced, .railWarningCleared, .faultCleared, .sessionStarted, .segmentStarted, .sessionAdjusted,
                 .paused, .resumed, .sessionFinished, .sessionStopped, .waitingForRails:
                break
            }
        }
    }
}
