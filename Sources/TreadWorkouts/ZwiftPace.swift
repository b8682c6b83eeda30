import Foundation

/// The reference paces a Zwift run block can be a share of: the block's `pace` attribute,
/// 0 to 4, as Zwift's workout editor numbers them (docs/programs.md cites where this is from).
public enum ZwiftPace: Int, CaseIterable, Hashable, Sendable {
    case mile = 0, fiveK = 1, tenK = 2, halfMarathon = 3, marathon = 4

    /// The race distance in metres, for deriving one pace from another.
    public var metres: Double {
        switch self {
        case .mile: return 1609.344
        case .fiveK: return 5000
        case .tenK: return 10000
        case .halfMarathon: return 21097.5
        case .marathon: return 42195
        }
    }

    public var label: String {
        switch self {
        case .mile: return "1-mile"
        case .fiveK: return "5k"
        case .tenK: return "10k"
        case .halfMarathon: return "half-marathon"
        case .marathon: return "marathon"
        }
    }
}

/// A member's race paces, in seconds per kilometre. Paces not given are derived from the
/// nearest given one with Riegel's formula (time grows with distance to the power 1.06), the
/// usual race-time predictor; the import says which were derived.
public struct ReferencePaces: Hashable, Sendable {
    public private(set) var given: [ZwiftPace: Double] = [:]

    public init(_ given: [ZwiftPace: Double] = [:]) { self.given = given }

    /// Riegel's exponent: T2 = T1 * (D2 / D1)^1.06.
    static let riegelExponent = 1.06

    public var isEmpty: Bool { given.isEmpty }

    /// Seconds per km for `pace`: as given, else derived; nil when no pace was given at all.
    public func secondsPerKm(_ pace: ZwiftPace) -> Double? {
        if let s = given[pace] { return s }
        guard let (from, s) = given.min(by: { abs(log($0.key.metres / pace.metres)) < abs(log($1.key.metres / pace.metres)) }) else { return nil }
        // Pace scales as time / distance: (D2/D1)^0.06.
        return s * pow(pace.metres / from.metres, Self.riegelExponent - 1)
    }

    /// The speed a share (`power`) of the reference pace asks for.
    public func speedKmh(_ pace: ZwiftPace, share power: Double) -> Double? {
        secondsPerKm(pace).map { power * 3600 / $0 }
    }

    /// "6:00/km", "6:00" (per km), "9:39/mi", "5:30/mile": seconds per km, or nil when the text
    /// is not such a pace (or is faster than 1:00/km or slower than 60:00/km).
    public static func parse(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        var body = Substring(t), perMetres = 1000.0
        for (suffix, metres) in [("/km", 1000.0), ("/mile", 1609.344), ("/mi", 1609.344)] where t.hasSuffix(suffix) {
            body = t.dropLast(suffix.count)
            perMetres = metres
            break
        }
        let parts = body.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let m = Int(parts[0]), let s = Int(parts[1]), parts[1].count == 2, m >= 0, (0..<60).contains(s) else { return nil }
        let perKm = Double(m * 60 + s) * 1000 / perMetres
        return (60...3600).contains(perKm) ? perKm : nil
    }

    /// "6:00/km".
    public static func format(_ secondsPerKm: Double) -> String {
        let total = Int(secondsPerKm.rounded())
        return "\(total / 60):\(String(format: "%02d", total % 60))/km"
    }
}
