/// One stretch of a program at a steady speed in one direction.
public struct Segment: Hashable, Sendable {
    /// Where the segment sits in the workout. Warm-up and cool-down are always forwards: an
    /// unfamiliar movement should never be the first or last thing tired legs do.
    public enum Role: String, Hashable, Sendable {
        case warmup, main, cooldown
    }

    public var direction: Direction
    public var speed: Speed
    public var duration: Duration
    /// A short text shown to the member while the segment runs ("hold the rails").
    public var message: String?
    /// Line of the program file the segment came from, so limit violations can name it.
    public var line: Int?
    /// Belt incline in percent (rise over run), on machines that have an incline motor; nil is flat.
    public var incline: Double?
    public var role: Role

    public init(direction: Direction, speed: Speed, duration: Duration, message: String? = nil, line: Int? = nil,
                incline: Double? = nil, role: Role = .main) {
        self.direction = direction
        self.speed = speed
        self.duration = duration
        self.message = message
        self.line = line
        self.incline = incline
        self.role = role
    }

    /// Incline as a fraction (0.05 for 5%), the ACSM equations' grade.
    public var grade: Double { (incline ?? 0) / 100 }

    /// Distance covered at the programmed speed, in metres (ramps not counted).
    public var plannedDistance: Double { speed.metresPerSecond * duration.inSeconds }
}
