/// One stretch of a program at a steady speed in one direction.
public struct Segment: Hashable, Sendable {
    public var direction: Direction
    public var speed: Speed
    public var duration: Duration
    /// A short text shown to the member while the segment runs ("hold the rails").
    public var message: String?
    /// Line of the program file the segment came from, so limit violations can name it.
    public var line: Int?

    public init(direction: Direction, speed: Speed, duration: Duration, message: String? = nil, line: Int? = nil) {
        self.direction = direction
        self.speed = speed
        self.duration = duration
        self.message = message
        self.line = line
    }
}
