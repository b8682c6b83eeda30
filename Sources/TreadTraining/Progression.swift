import TreadCore
/// Plans a progression across weeks (TRAINING.md): the share of time backwards grows evenly
/// from a beginner's 5-10% toward about 40%, and weekly training time grows by at most 10% a
/// week. Pure: options in, one program per week out; `ProgramFile.render` writes them as
/// program files that the loader reads back.
///
/// Each session is a forward warm-up, intervals (a reverse bout, then forwards) written as
/// one repeat block, and a forward cool-down.
public enum Progression {
    public struct Options: Hashable, Sendable {
        public var weeks: Int
        public var sessionsPerWeek: Int
        /// Length of each session in week 1, in minutes.
        public var minutes: Int
        public var startReverse: Double = 0.05
        public var targetReverse: Double = 0.40
        /// Week-on-week growth of session length; at most `TrainingLoad.maxWeeklyGrowth`.
        public var weeklyGrowth: Double = 0.10
        public var forwardSpeed: Speed = .kmh(5.0)
        public var reverseSpeed: Speed = .kmh(2.5)
        public var easySpeed: Speed = .kmh(4.0)
        public var warmup: Duration = .seconds(300)
        public var cooldown: Duration = .seconds(300)
        /// About one reverse bout per this much of the main part.
        public var intervalLength: Duration = .seconds(300)
        /// Program names are `<name>-week01` and so on.
        public var name: String = "plan"

        public init(weeks: Int, sessionsPerWeek: Int, minutes: Int) {
            self.weeks = weeks
            self.sessionsPerWeek = sessionsPerWeek
            self.minutes = minutes
        }
    }

    /// The shortest reverse bout worth a direction change (two stops and dwells for it).
    public static let minReverseBout = 30

    public static func plan(_ o: Options) throws(ProgressionError) -> [Program] {
        var problems: [String] = []
        func check(_ ok: Bool, _ message: String) { if !ok { problems.append(message) } }
        check((1...52).contains(o.weeks), "weeks must be 1...52, got \(o.weeks)")
        check((1...14).contains(o.sessionsPerWeek), "sessions per week must be 1...14, got \(o.sessionsPerWeek)")
        let fixed = Int((o.warmup + o.cooldown).inSeconds)
        check(o.minutes * 60 > fixed + 60 && o.minutes <= 180,
              "minutes must leave at least a minute between the \(fixed / 60) min of warm-up and cool-down and be at most 180, got \(o.minutes)")
        check(o.startReverse >= 0 && o.startReverse <= 0.5, "start reverse share must be 0...0.5, got \(o.startReverse)")
        check(o.targetReverse >= o.startReverse && o.targetReverse <= 0.5,
              "target reverse share must be between the start share and 0.5, got \(o.targetReverse)")
        check(o.weeklyGrowth >= 0 && o.weeklyGrowth <= TrainingLoad.maxWeeklyGrowth,
              "weekly growth must be 0...\(Int(TrainingLoad.maxWeeklyGrowth * 100))%, got \(o.weeklyGrowth)")
        check(!o.name.isEmpty && !o.name.contains("/"), "name must be non-empty without '/', got \"\(o.name)\"")
        guard problems.isEmpty else { throw ProgressionError(problems: problems) }

        var programs: [Program] = []
        var seconds = o.minutes * 60
        for week in 0..<o.weeks {
            // Rounded down from the previous week, so the growth is never above the rule.
            if week > 0 { seconds = Int((Double(seconds) * (1 + o.weeklyGrowth)).rounded(.down)) }
            let share = o.weeks == 1 ? o.startReverse
                : o.startReverse + (o.targetReverse - o.startReverse) * Double(week) / Double(o.weeks - 1)
            programs.append(session(o, week: week + 1, seconds: seconds, share: share))
        }
        return programs
    }

    static func session(_ o: Options, week: Int, seconds total: Int, share: Double) -> Program {
        let warm = Int(o.warmup.inSeconds), cool = Int(o.cooldown.inSeconds)
        let main = total - warm - cool
        let reverse = min(main / 2, Int((share * Double(total)).rounded()))
        var items: [Program.Item] = [.segment(Segment(direction: .forward, speed: o.easySpeed, duration: .seconds(warm),
                                                      message: "Warm up", role: .warmup))]
        var leftover = main
        if reverse >= minReverseBout {
            let byLength = max(1, Int((Double(main) / o.intervalLength.inSeconds).rounded()))
            let n = max(1, min(byLength, reverse / minReverseBout, 20))
            let r = reverse / n
            let f = (main - r * n) / n
            leftover = main - n * (r + f)
            items.append(.repeated(times: n, segments: [
                Segment(direction: .reverse, speed: o.reverseSpeed, duration: .seconds(r),
                        message: "Backwards: hold the rails, small steps, upright"),
                Segment(direction: .forward, speed: o.forwardSpeed, duration: .seconds(f)),
            ]))
        } else {
            items.append(.segment(Segment(direction: .forward, speed: o.forwardSpeed, duration: .seconds(main))))
            leftover = 0
        }
        items.append(.segment(Segment(direction: .forward, speed: o.easySpeed, duration: .seconds(cool + leftover),
                                      message: "Cool down", role: .cooldown)))
        let p = Program(name: "\(o.name)-week\(week < 10 ? "0" : "")\(week)", items: items)
        let pct = Int((p.reverseShare * 100).rounded())
        return Program(name: p.name, title: "Week \(week) of \(o.weeks): \(total / 60) min, \(pct)% backwards, \(o.sessionsPerWeek)x a week",
                       items: items)
    }
}

public struct ProgressionError: Error, Hashable, Sendable, CustomStringConvertible {
    public var problems: [String]
    public var description: String { "cannot plan: " + problems.joined(separator: "; ") }
}
