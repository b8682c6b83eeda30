/// Why a Zwift workout file could not become a program at all. Each names the file and, where
/// there is one, the line, so a member or technician can open the file at the right place.
/// Blocks that merely could not be mapped are not errors: they are `ImportNote`s.
public enum ZwiftImportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bytes are not well-formed XML; line and column from the XML parser.
    case notXML(file: String, line: Int, column: Int)
    /// Well-formed XML, but its root is not `<workout_file>`.
    case notAWorkoutFile(file: String, root: String)
    /// A workout for another sport; without `<sportType>` a .zwo is a bike workout (Zwift's default).
    case notARunWorkout(file: String, line: Int?, sport: String?)
    /// No `<workout>` element, or one with no blocks in it.
    case noBlocks(file: String, line: Int?)
    /// A block asks for a reference pace that was not given and cannot be derived.
    case noReferencePace(file: String, line: Int?, pace: ZwiftPace)
    /// Every block was left out: there is nothing to run.
    case nothingMapped(file: String, notes: [ImportNote])
    /// Blocks whose speeds or lengths no treadmill may run (above the hard limits every machine
    /// has), each with the line of the block that produced it.
    case beyondLimits(file: String, problems: [LocatedProblem])
    /// An option outside what the import accepts (a share outside 0...1, say).
    case badOption(String)

    public var description: String {
        switch self {
        case .notXML(let file, let line, let column):
            return "\(file):\(line):\(column): not a Zwift workout: the file is not well-formed XML"
        case .notAWorkoutFile(let file, let root):
            return "\(file):1: not a Zwift workout: the root element is <\(root)>, not <workout_file>"
        case .notARunWorkout(let file, let line, let sport):
            let place = line.map { "\(file):\($0)" } ?? file
            guard let sport else { return "\(place): not a run workout: no <sportType>run</sportType> (without it, a .zwo is a bike workout)" }
            return "\(place): not a run workout: <sportType> is \"\(sport.prefix(40))\", this treadmill imports run workouts only"
        case .noBlocks(let file, let line):
            return "\(line.map { "\(file):\($0)" } ?? file): the workout has no blocks (<workout> is missing or empty)"
        case .noReferencePace(let file, let line, let pace):
            return "\(line.map { "\(file):\($0)" } ?? file): this block runs at a share of your \(pace.label) pace; give a reference pace, e.g. --pace-5k 6:00/km"
        case .nothingMapped(let file, let notes):
            return (["\(file): no block could be turned into a program segment:"] + notes.map { "  " + $0.description(file: file) }).joined(separator: "\n")
        case .beyondLimits(let file, let problems):
            return (["\(file): beyond the hard limits of every treadmill; no program written:"]
                    + problems.map { "  " + $0.description(file: file) }).joined(separator: "\n")
        case .badOption(let message):
            return message
        }
    }
}

/// A problem tied to a line of the .zwo file and the block there.
public struct LocatedProblem: Hashable, Sendable {
    public var line: Int?
    public var block: String
    public var message: String

    public init(line: Int?, block: String, message: String) {
        self.line = line
        self.block = block
        self.message = message
    }

    public func description(file: String) -> String {
        "\(file):\(line.map(String.init) ?? "?"): <\(block)>: \(message)"
    }
}
