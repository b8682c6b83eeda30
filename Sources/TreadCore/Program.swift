/// A workout: an ordered list of segments and repeat blocks.
///
/// Repeat blocks are kept as written (for display) and also expanded once into
/// `segments`, the flat list the session runner walks through.
public struct Program: Hashable, Sendable {
    public enum Item: Hashable, Sendable {
        case segment(Segment)
        case repeated(times: Int, segments: [Segment])
    }

    public var name: String
    public var title: String
    public var items: [Item]
    /// The expanded segments. A running session may adjust its own copy (skip, extend, nudge).
    public internal(set) var segments: [Segment]

    public init(name: String, title: String? = nil, items: [Item]) {
        self.name = name
        self.title = title ?? name
        self.items = items
        self.segments = items.flatMap { item -> [Segment] in
            switch item {
            case .segment(let s): return [s]
            case .repeated(let times, let segs): return Array(repeating: segs, count: max(0, times)).flatMap { $0 }
            }
        }
    }

    public var totalDuration: Duration {
        segments.reduce(Duration.zero) { $0 + $1.duration }
    }

    /// Share of the program's time spent walking backwards, 0...1.
    public var reverseShare: Double {
        let total = totalDuration.inSeconds
        guard total > 0 else { return 0 }
        let rev = segments.filter { $0.direction == .reverse }.reduce(0.0) { $0 + $1.duration.inSeconds }
        return rev / total
    }

    /// Time spent backwards in the program.
    public var reverseDuration: Duration {
        segments.filter { $0.direction == .reverse }.reduce(Duration.zero) { $0 + $1.duration }
    }

    /// Planned distance in metres, forwards and backwards, at the programmed speeds.
    public var plannedDistance: (forward: Double, reverse: Double) {
        var f = 0.0, r = 0.0
        for s in segments { if s.direction == .forward { f += s.plannedDistance } else { r += s.plannedDistance } }
        return (f, r)
    }
}
