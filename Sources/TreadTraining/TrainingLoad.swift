import TreadCore
/// The two training-load checks made when a member starts a session (TRAINING.md): weekly
/// volume growing more than 10% over the week before, and one session much longer than the
/// member's longest recent one. The 10% rule has weak evidence; research ties injury more to
/// single-session spikes. Both only warn: the member decides.
public enum TrainingLoad {
    /// Largest week-on-week growth of training time before a warning.
    public static let maxWeeklyGrowth = 0.10
    /// A session longer than the longest of the recent window by more than this share warns.
    public static let maxSessionSpike = 0.10
    /// How far back "recent" reaches for the longest session.
    public static let recentWindow = Duration.seconds(30 * 24 * 3600)

    /// What the member has done, as the history store reports it.
    public struct Recent: Hashable, Sendable {
        /// Training time in the current week (the 7 days before now) before this session.
        public var thisWeek: Duration
        /// Training time in the 7 days before that.
        public var lastWeek: Duration
        /// The longest session in `recentWindow`; nil when there was none.
        public var longestRecent: Duration?

        /// From the sessions themselves (this machine's and the fleet's, each once): this week
        /// is the 7 days before `now`, last week the 7 before those, recent the `recentWindow`.
        public init(sessions: [Past], now: Double) {
            let week = 7 * 86_400.0
            func total(_ from: Double, _ to: Double) -> Duration {
                sessions.filter { $0.startedAt >= from && $0.startedAt < to }.reduce(.zero) { $0 + $1.moving }
            }
            self.init(thisWeek: total(now - week, now + 1), lastWeek: total(now - 2 * week, now - week),
                      longestRecent: sessions.filter { $0.startedAt >= now - TrainingLoad.recentWindow.inSeconds }.map(\.moving).max())
        }

        public init(thisWeek: Duration, lastWeek: Duration, longestRecent: Duration?) {
            self.thisWeek = thisWeek
            self.lastWeek = lastWeek
            self.longestRecent = longestRecent
        }
    }

    public enum Warning: Hashable, Sendable, CustomStringConvertible {
        case weeklyVolume(after: Duration, lastWeek: Duration)
        case sessionSpike(planned: Duration, longestRecent: Duration)
        /// The member's sessions on other machines of the fleet were not (all) counted: why.
        case fleetHistory(String)

        public var code: String {
            switch self {
            case .weeklyVolume: return "weekly_volume"
            case .sessionSpike: return "session_spike"
            case .fleetHistory: return "fleet_history"
            }
        }

        public var description: String {
            switch self {
            case .weeklyVolume(let after, let last):
                let growth = Int(((after.inSeconds / last.inSeconds - 1) * 100).rounded())
                return "this session brings the last 7 days to \(minutes(after)) min, \(growth)% more than the week before (\(minutes(last)) min); more than 10% a week raises the risk of injury"
            case .sessionSpike(let planned, let longest):
                return "this session (\(minutes(planned)) min) is much longer than your longest in the last 30 days (\(minutes(longest)) min); a sudden long session raises the risk of injury"
            case .fleetHistory(let why):
                return why
            }
        }
    }

    /// One past session: when it started (seconds since 1970) and how long the belt moved.
    public struct Past: Hashable, Sendable {
        public var startedAt: Double
        public var moving: Duration
        public init(startedAt: Double, moving: Duration) { self.startedAt = startedAt; self.moving = moving }
    }

    /// Warnings for starting a session of `planned` length after `recent`. A member with no
    /// history gets none: there is nothing to grow from.
    public static func check(planned: Duration, recent: Recent) -> [Warning] {
        var out: [Warning] = []
        let after = recent.thisWeek + planned
        if recent.lastWeek > .zero, after.inSeconds > recent.lastWeek.inSeconds * (1 + maxWeeklyGrowth) {
            out.append(.weeklyVolume(after: after, lastWeek: recent.lastWeek))
        }
        if let longest = recent.longestRecent, longest > .zero, planned.inSeconds > longest.inSeconds * (1 + maxSessionSpike) {
            out.append(.sessionSpike(planned: planned, longestRecent: longest))
        }
        return out
    }

    private static func minutes(_ d: Duration) -> Int { Int((d.inSeconds / 60).rounded()) }
}
