/// A belt speed magnitude in km/h. Direction is never folded into the sign: drives take
/// direction as a separate command, and a negative speed would hide a wrong-direction bug.
public struct Speed: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var kmh: Double

    public init(kmh: Double) { self.kmh = kmh }

    public static func kmh(_ v: Double) -> Speed { Speed(kmh: v) }
    public static let zero = Speed(kmh: 0)

    public static func < (a: Speed, b: Speed) -> Bool { a.kmh < b.kmh }

    /// Metres per second, for distance and energy.
    public var metresPerSecond: Double { kmh / 3.6 }

    public var description: String { formatKmh(kmh) + " km/h" }
}

/// One decimal place without Foundation, so the core stays dependency-free. Total: a value
/// no belt reaches (a program's `speed_kmh = 1.5e41`, infinity, NaN) is written in Swift's own
/// form instead of trapping in the Int conversion, since the message that names such a speed
/// is the one that refuses it (found by the program fuzzer).
package func formatKmh(_ v: Double) -> String {
    let scaled = (v * 10).rounded()
    guard scaled.isFinite, abs(scaled) < 1e15 else { return "\(v)" }
    let tenths = Int(scaled)
    let sign = tenths < 0 ? "-" : ""
    let a = abs(tenths)
    return "\(sign)\(a / 10).\(a % 10)"
}

/// Which way the belt carries the member's feet. `reverse` means the member walks backwards.
public enum Direction: String, Hashable, Sendable, CaseIterable {
    case forward
    case reverse

    public var opposite: Direction { self == .forward ? .reverse : .forward }
}
