import TreadCore

/// Turns a Zwift run workout into a treadd program: a pure function of the file and the
/// options, returning the program and a note for everything not carried over as written.
///
/// - `Power` (and `PowerLow`/`PowerHigh`, `OnPower`/`OffPower`) is a share of the reference
///   pace's *speed* that the block's `pace` attribute names (0 mile ... 4 marathon; absent is 0).
/// - `Warmup`, `Ramp` and `Cooldown` change speed continuously; programs hold steady speeds, so
///   they become steps of about `rampStep` each, at the ramp's mean speed over the step.
/// - `IntervalsT` becomes a repeat block: effort, then recovery. With a reverse share, that
///   share of each recovery is walked backwards first (at most `reverseSpeed`, never faster than
///   the recovery itself), right after the effort, so the next effort ramps from the recovery
///   speed and not from a standstill. treadd stops the belt, checks standstill and dwells
///   before each change of direction on its own: the program only names directions.
/// - `FreeRide`, `MaxEffort` and anything else without a target speed cannot be a segment.
public enum ZwiftImport {
    public struct Options: Hashable, Sendable {
        /// The program's name (the file name it will be written under, without `.toml`).
        public var name: String
        public var paces: ReferencePaces
        /// Share of each recovery walked backwards, 0...1 (TRAINING.md: 0.05-0.10 to begin with).
        public var reverseShare: Double = 0
        public var reverseSpeed: Speed = .kmh(2.0)
        /// A backwards bout shorter than this is not worth two stops and two dwells: such a
        /// recovery stays forwards (and says so).
        public var minimumReverseBout: Duration = .seconds(10)
        /// Length of one step of a ramp.
        public var rampStep: Duration = .seconds(60)

        public init(name: String, paces: ReferencePaces, reverseShare: Double = 0, reverseSpeed: Speed = .kmh(2.0)) {
            self.name = name
            self.paces = paces
            self.reverseShare = reverseShare
            self.reverseSpeed = reverseSpeed
        }
    }

    /// The limits no machine exceeds (HardLimits), used to refuse a block before any daemon is
    /// asked. The machine's own, lower limits are checked by treadd (`programs.validate`).
    public static let hardCeiling = MachineLimits(
        maxForwardSpeed: HardLimits.maxForwardSpeed, maxReverseSpeed: HardLimits.maxReverseSpeed,
        startSpeed: .kmh(0.1), acceleration: HardLimits.maxAcceleration)

    public static func program(from workout: ZwiftWorkoutFile, file: String, options: Options) throws(ZwiftImportError) -> ImportedProgram {
        guard (0...1).contains(options.reverseShare) else {
            throw .badOption("the reverse share must be between 0 and 1 (0.1 = 10% of each recovery), got \(options.reverseShare)")
        }
        guard options.reverseSpeed.kmh > 0, options.reverseSpeed <= HardLimits.maxReverseSpeed else {
            throw .badOption("the backwards speed must be above 0 and at most \(HardLimits.maxReverseSpeed), got \(options.reverseSpeed)")
        }
        guard let sport = workout.sport, sport.lowercased() == "run" else {
            throw .notARunWorkout(file: file, line: workout.sportLine, sport: workout.sport)
        }
        guard !workout.blocks.isEmpty else { throw .noBlocks(file: file, line: workout.workoutLine) }

        var mapper = BlockMapper(workout: workout, file: file, options: options)
        var items: [Program.Item] = []
        for index in workout.blocks.indices { items += try mapper.map(index) }
        guard !items.isEmpty else { throw .nothingMapped(file: file, notes: mapper.notes) }
        assignRoles(&items, workout: workout, first: mapper.firstMappedBlock, last: mapper.lastMappedBlock)

        let program = Program(name: options.name, title: workout.name ?? options.name, items: items)
        let names = Dictionary(workout.blocks.compactMap { b in b.line.map { ($0, b.name) } }, uniquingKeysWith: { a, _ in a })
        let problems = program.violations(against: hardCeiling).map { v in
            LocatedProblem(line: v.line, block: v.line.flatMap { names[$0] } ?? "workout", message: v.message)
        }
        guard problems.isEmpty else { throw .beyondLimits(file: file, problems: problems) }
        return ImportedProgram(program: program, notes: mapper.notes, blockNames: names,
                               pacesUsed: mapper.pacesUsed, paces: options.paces)
    }

    /// A program file holds one warm-up and one cool-down segment: the first step of a leading
    /// `Warmup` is the warm-up and the last step of a closing `Cooldown` the cool-down; their
    /// other steps stay ordinary forward steps.
    static func assignRoles(_ items: inout [Program.Item], workout: ZwiftWorkoutFile, first: Int?, last: Int?) {
        guard items.count > 1 else { return }
        if let first, workout.blocks[first].name.lowercased() == "warmup", case .segment(var s) = items[0], s.direction == .forward {
            s.role = .warmup
            items[0] = .segment(s)
        }
        if let last, workout.blocks[last].name.lowercased() == "cooldown", case .segment(var s) = items[items.count - 1], s.direction == .forward {
            s.role = .cooldown
            items[items.count - 1] = .segment(s)
        }
    }
}
