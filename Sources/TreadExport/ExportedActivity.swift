/// A recorded session as an activity file sees it: the sport, one lap per segment, totals and
/// notes. Every time, distance and energy figure is what treadd recorded (the belt's speed as
/// the motor drive reported it, summed tick by tick; energy an ACSM estimate); nothing comes
/// from the program's plan except each lap's description. Pure values: the writers
/// (`TCXDocument`, `FITActivityFile`) turn it into bytes.
public struct ExportedActivity: Sendable, Equatable {
    public enum Sport: String, Sendable {
        case running, walking
    }

    public struct Lap: Sendable, Equatable {
        /// What a lap is for, as FIT's `intensity` says it (TCX has only Active and Resting).
        public enum Intensity: Sendable { case warmup, active, cooldown }
        /// Why the lap ended: its planned time ran out (`time`), the member skipped or stopped
        /// it (`manual`), or the session ended under it (a fault, or treadd was killed).
        public enum Trigger: Sendable { case time, manual, sessionEnd }

        /// Seconds since 1970.
        public var startedAt: Double
        /// Wall-clock time from the lap's start to its end, ramps and direction dwells included.
        public var elapsedS: Double
        /// Time the belt moved.
        public var movingS: Double
        public var forwardM: Double
        public var reverseM: Double
        /// Estimated kcal; nil without the member's body mass.
        public var kcal: Double?
        public var intensity: Intensity
        public var trigger: Trigger
        /// For people: "segment 2: reverse at 1.5 km/h, 3 s planned; completed".
        public var description: String

        public var distanceM: Double { forwardM + reverseM }
        public var endedAt: Double { startedAt + elapsedS }
        /// Mean belt speed while it moved, m/s: the only speed an export can give honestly,
        /// since treadd records distance and moving time per segment, not a speed trace.
        public var averageSpeed: Double { movingS > 0 ? distanceM / movingS : 0 }
    }

    public var sessionID: String
    public var sport: Sport
    /// Seconds since 1970.
    public var startedAt: Double
    public var endedAt: Double
    public var laps: [Lap]
    public var forwardM: Double
    public var reverseM: Double
    public var movingS: Double
    public var reverseS: Double
    /// Estimated kcal for the whole session; nil without the member's body mass.
    public var kcal: Double?
    /// treadd stopped during the session (killed, crashed, power lost) and it was marked
    /// interrupted at the next start: the file holds what was recorded up to then.
    public var cutShort: Bool
    /// The activity's notes: backwards distance and share, the energy estimate, how it ended.
    public var notes: String

    public var distanceM: Double { forwardM + reverseM }
    public var elapsedS: Double { max(0, endedAt - startedAt) }
    /// Share of the distance covered backwards, 0...1.
    public var reverseDistanceShare: Double { distanceM > 0 ? reverseM / distanceM : 0 }
    /// Share of the time on the moving belt spent backwards, 0...1 (treadd's own measure).
    public var reverseTimeShare: Double { movingS > 0 ? reverseS / movingS : 0 }
    public var averageSpeed: Double { movingS > 0 ? distanceM / movingS : 0 }
}
