/// Walks a program's segments as "segment time" is credited to it.
///
/// The runner does not decide when time counts: the treadmill credits time only while the
/// belt runs in the current segment's direction, so ramps through standstill, the announced
/// dwell and waiting for the rails never eat into a segment.
public struct SessionRunner: Hashable, Sendable {
    /// The program as running: adjustments (skip, extend, nudge) change this copy only.
    public internal(set) var program: Program
    public internal(set) var index: Int = 0
    public internal(set) var segmentElapsed: Duration = .zero

    public init(program: Program) { self.program = program }

    public var isFinished: Bool { index >= program.segments.count }

    public var current: Segment? { isFinished ? nil : program.segments[index] }

    public var next: Segment? { index + 1 < program.segments.count ? program.segments[index + 1] : nil }

    public var remainingInSegment: Duration {
        guard let c = current else { return .zero }
        return c.duration - segmentElapsed
    }

    public var elapsed: Duration {
        program.segments.prefix(index).reduce(Duration.zero) { $0 + $1.duration } + segmentElapsed
    }

    public var remaining: Duration { program.totalDuration - elapsed }

    /// Credits `dt` of segment time; returns the indices of segments entered on the way.
    /// Time left over at a segment boundary is not carried into the next segment, because the
    /// next segment may need a direction change first and its clock starts only then.
    public mutating func credit(_ dt: Duration) -> [Int] {
        guard let c = current, dt > .zero else { return [] }
        segmentElapsed += dt
        guard segmentElapsed >= c.duration else { return [] }
        index += 1
        segmentElapsed = .zero
        return isFinished ? [] : [index]
    }
}
