/// A point on a monotonic clock, counted in nanoseconds from an arbitrary origin.
///
/// The core never reads a clock: every entry point takes `now: Instant`, so tests drive
/// time by hand and the daemon feeds `CLOCK_MONOTONIC`.
public struct Instant: Comparable, Hashable, Sendable {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static let zero = Instant(nanoseconds: 0)

    public static func seconds(_ s: Double) -> Instant { Instant(nanoseconds: Int64(s * 1e9)) }

    public static func < (a: Instant, b: Instant) -> Bool { a.nanoseconds < b.nanoseconds }

    public static func + (a: Instant, d: Duration) -> Instant {
        Instant(nanoseconds: a.nanoseconds + d.nanoseconds)
    }

    public static func - (a: Instant, b: Instant) -> Duration {
        .nanoseconds(a.nanoseconds - b.nanoseconds)
    }
}

extension Duration {
    /// Whole nanoseconds; sub-nanosecond parts are dropped.
    public var nanoseconds: Int64 {
        let c = components
        return c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000
    }

    /// The duration as fractional seconds, for physics and display.
    public var inSeconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }

    public static func fractionalSeconds(_ s: Double) -> Duration {
        .nanoseconds(Int64((s * 1e9).rounded()))
    }
}
