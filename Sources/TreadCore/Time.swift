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

    /// Traps unless `s` is finite and within `maxSeconds`; for seconds read from a file or a
    /// request, use `checkedSeconds`.
    public static func fractionalSeconds(_ s: Double) -> Duration {
        .nanoseconds(Int64((s * 1e9).rounded()))
    }

    /// The most seconds a Duration built by `fractionalSeconds` can hold (whole nanoseconds in
    /// an Int64: about 292 years), rounded down to a round number.
    public static let maxSeconds = 9e9

    /// `s` seconds, or nil when `s` is not a number or beyond `maxSeconds` either way: what a
    /// file says is checked here, since `fractionalSeconds` would trap on it.
    public static func checkedSeconds(_ s: Double) -> Duration? {
        guard s.isFinite, abs(s) <= maxSeconds else { return nil }
        return fractionalSeconds(s)
    }
}
