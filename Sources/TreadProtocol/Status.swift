/// A snapshot of the treadmill, as `status` returns it and `watch` streams it.
/// Keys are snake_case and stable: tools and the kiosk page parse them.
public struct Status: Codable, Hashable, Sendable {
    public struct Rails: Codable, Hashable, Sendable {
        /// "held" or "released".
        public var left: String
        public var right: String
        public init(left: String, right: String) { self.left = left; self.right = right }
    }

    public struct FaultInfo: Codable, Hashable, Sendable {
        public var code: String
        public var message: String
        public init(code: String, message: String) { self.code = code; self.message = message }
    }

    public struct Upcoming: Codable, Hashable, Sendable {
        public var direction: String
        public var speedKmh: Double
        public var inS: Double
        enum CodingKeys: String, CodingKey { case direction, speedKmh = "speed_kmh", inS = "in_s" }
        public init(direction: String, speedKmh: Double, inS: Double) { self.direction = direction; self.speedKmh = speedKmh; self.inS = inS }
    }

    /// The history database's writer: `ok`, `starting` or `failing` (with the error); records
    /// waiting and records dropped because the buffer was full. The belt never waits on it.
    public struct HistoryInfo: Codable, Hashable, Sendable {
        public var state: String
        public var path: String
        public var error: String?
        public var pending: Int
        public var dropped: Int
        public init(state: String, path: String, error: String? = nil, pending: Int = 0, dropped: Int = 0) {
            self.state = state; self.path = path; self.error = error; self.pending = pending; self.dropped = dropped
        }
    }

    /// The machine's health counters since it was installed, in the `status` reply only (not
    /// in the events and progress messages, which go out at 10 Hz): `persisted` false means
    /// no history holds the earlier runs' counts, so they are this run's alone.
    public struct MachineInfo: Codable, Hashable, Sendable {
        public var counters: MachineCounters
        public var persisted: Bool
        public init(counters: MachineCounters, persisted: Bool) { self.counters = counters; self.persisted = persisted }
    }

    /// idle, running, paused, stopping, fault.
    public var state: String
    public var program: String?
    public var programTitle: String?
    /// 1-based index of the current segment.
    public var segmentIndex: Int?
    public var segmentCount: Int?
    /// Direction the belt is moving: forward, reverse or none (at standstill).
    public var direction: String
    /// Direction of the current segment, which may differ while a direction change is under way.
    public var segmentDirection: String?
    public var targetSpeedKmh: Double
    /// The belt speed the drive reports; null when it is unknown (the drive offline, or its
    /// last report too old to trust), which is not the same as 0.
    public var beltSpeedKmh: Double?
    public var elapsedS: Double
    public var remainingS: Double
    public var segmentRemainingS: Double?
    public var next: Upcoming?
    /// What the motion planner is doing: stopped, running, ramping_down, awaiting_zero, dwelling, ready.
    public var phase: String
    /// The one thing the member should be told now, if any.
    public var notice: String?
    public var pauseReason: String?
    public var rails: Rails
    /// "closed" (healthy) or "open".
    public var estop: String
    /// "inserted" or "pulled".
    public var safetyKey: String
    /// The drive-enable relay; null when its state is unknown (a write to it failed).
    public var enable: Bool?
    /// "connecting", "online" or "offline".
    public var drive: String
    /// While the safety thread holds the belt stopped and the control loop has not yet
    /// latched the fault: the reason. Normally null, or present for one tick.
    public var hold: FaultInfo?
    /// The daemon's life: "starting", "ready", "stopping" (control requests refused, the belt
    /// brought to a verified stop), "stopped".
    public var lifecycle: String
    public var fault: FaultInfo?
    /// The member training, when the session was started for one.
    public var member: String?
    /// Distance of the current (or last) session, measured from the belt, in metres.
    public var distanceForwardM: Double?
    public var distanceReverseM: Double?
    /// Estimated energy (ACSM equations, backwards x1.3); needs the member's body mass. An estimate.
    public var energyKcalEstimate: Double?
    /// Nil when treadd keeps no history.
    public var history: HistoryInfo?
    /// Set in the `status` reply; nil in events.
    public var machine: MachineInfo?

    enum CodingKeys: String, CodingKey {
        case state, program, direction, phase, notice, rails, estop, enable, drive, fault, next, hold, lifecycle
        case programTitle = "program_title"
        case segmentIndex = "segment_index"
        case segmentCount = "segment_count"
        case segmentDirection = "segment_direction"
        case targetSpeedKmh = "target_speed_kmh"
        case beltSpeedKmh = "belt_speed_kmh"
        case elapsedS = "elapsed_s"
        case remainingS = "remaining_s"
        case segmentRemainingS = "segment_remaining_s"
        case pauseReason = "pause_reason"
        case safetyKey = "safety_key"
        case member, history, machine
        case distanceForwardM = "distance_forward_m"
        case distanceReverseM = "distance_reverse_m"
        case energyKcalEstimate = "energy_kcal_estimate"
    }

    /// Absent values are written as `null`, never left out, so clients can rely on every key.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(state, forKey: .state)
        try c.encode(program, forKey: .program)
        try c.encode(programTitle, forKey: .programTitle)
        try c.encode(segmentIndex, forKey: .segmentIndex)
        try c.encode(segmentCount, forKey: .segmentCount)
        try c.encode(direction, forKey: .direction)
        try c.encode(segmentDirection, forKey: .segmentDirection)
        try c.encode(targetSpeedKmh, forKey: .targetSpeedKmh)
        try c.encode(beltSpeedKmh, forKey: .beltSpeedKmh)
        try c.encode(elapsedS, forKey: .elapsedS)
        try c.encode(remainingS, forKey: .remainingS)
        try c.encode(segmentRemainingS, forKey: .segmentRemainingS)
        try c.encode(next, forKey: .next)
        try c.encode(phase, forKey: .phase)
        try c.encode(notice, forKey: .notice)
        try c.encode(pauseReason, forKey: .pauseReason)
        try c.encode(rails, forKey: .rails)
        try c.encode(estop, forKey: .estop)
        try c.encode(safetyKey, forKey: .safetyKey)
        try c.encode(enable, forKey: .enable)
        try c.encode(drive, forKey: .drive)
        try c.encode(hold, forKey: .hold)
        try c.encode(lifecycle, forKey: .lifecycle)
        try c.encode(fault, forKey: .fault)
        try c.encode(member, forKey: .member)
        try c.encode(distanceForwardM, forKey: .distanceForwardM)
        try c.encode(distanceReverseM, forKey: .distanceReverseM)
        try c.encode(energyKcalEstimate, forKey: .energyKcalEstimate)
        try c.encode(history, forKey: .history)
        try c.encode(machine, forKey: .machine)
    }

    public init(state: String, program: String? = nil, programTitle: String? = nil, segmentIndex: Int? = nil, segmentCount: Int? = nil,
                direction: String = "none", segmentDirection: String? = nil, targetSpeedKmh: Double = 0, beltSpeedKmh: Double? = 0,
                elapsedS: Double = 0, remainingS: Double = 0, segmentRemainingS: Double? = nil, next: Upcoming? = nil,
                phase: String = "stopped", notice: String? = nil, pauseReason: String? = nil,
                rails: Rails = Rails(left: "released", right: "released"), estop: String = "closed", safetyKey: String = "inserted",
                enable: Bool? = false, drive: String = "connecting", fault: FaultInfo? = nil, hold: FaultInfo? = nil,
                lifecycle: String = "ready") {
        self.state = state; self.program = program; self.programTitle = programTitle; self.segmentIndex = segmentIndex
        self.segmentCount = segmentCount; self.direction = direction; self.segmentDirection = segmentDirection
        self.targetSpeedKmh = targetSpeedKmh; self.beltSpeedKmh = beltSpeedKmh; self.elapsedS = elapsedS
        self.remainingS = remainingS; self.segmentRemainingS = segmentRemainingS; self.next = next; self.phase = phase
        self.notice = notice; self.pauseReason = pauseReason; self.rails = rails; self.estop = estop
        self.safetyKey = safetyKey; self.enable = enable; self.drive = drive; self.fault = fault
        self.hold = hold; self.lifecycle = lifecycle
    }
}
