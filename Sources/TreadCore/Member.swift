/// A person who trains on the machine. Optional: a session without a member runs the same,
/// but has no energy estimate (that needs body mass) and no training-load check.
public struct Member: Hashable, Sendable {
    public enum Level: String, Hashable, Sendable, CaseIterable {
        case beginner, intermediate, advanced
    }

    public var name: String
    /// Kilograms; needed for the energy estimate.
    public var bodyMassKg: Double?
    public var level: Level

    /// Body masses outside this range are typing mistakes (grams, pounds), not people.
    public static let bodyMassRange = 25.0...300.0
    public static let maxNameLength = 40

    /// Checks every field and reports every problem at once.
    public init(name: String, bodyMassKg: Double? = nil, level: Level = .beginner) throws(MemberError) {
        var problems: [String] = []
        let trimmed = name.trimmingSpaces()
        if trimmed.isEmpty || trimmed.count > Self.maxNameLength {
            problems.append("name must be 1 to \(Self.maxNameLength) characters, got \"\(name)\"")
        } else if !trimmed.allSatisfy({ $0.isLetter || $0.isNumber || $0 == " " || $0 == "-" || $0 == "_" || $0 == "." || $0 == "'" }) {
            problems.append("name \"\(name)\" may hold letters, digits, spaces and - _ . ' only")
        }
        if let m = bodyMassKg, !(m.isFinite && Self.bodyMassRange.contains(m)) {
            problems.append("body mass must be between \(Int(Self.bodyMassRange.lowerBound)) and \(Int(Self.bodyMassRange.upperBound)) kg, got \(m)")
        }
        guard problems.isEmpty else { throw MemberError.invalid(problems) }
        self.name = trimmed
        self.bodyMassKg = bodyMassKg
        self.level = level
    }
}

public enum MemberError: Error, Hashable, Sendable, CustomStringConvertible {
    case invalid([String])
    case unknown(String, known: [String])
    case exists(String)

    public var code: String {
        switch self {
        case .invalid: return "bad_member"
        case .unknown: return "unknown_member"
        case .exists: return "member_exists"
        }
    }

    public var description: String {
        switch self {
        case .invalid(let p): return "member: " + p.joined(separator: "; ")
        case .unknown(let n, let known):
            return "unknown member '\(n)'; known members: " + (known.isEmpty ? "(none; add one with treadctl members add)" : known.joined(separator: ", "))
        case .exists(let n): return "a member named '\(n)' already exists"
        }
    }
}
