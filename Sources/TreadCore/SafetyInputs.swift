/// The safety inputs as last read. `true` is always the healthy / permissive reading, so a
/// zeroed struct means "everything unsafe" and a missing reading can never look permissive.
public struct SafetyInputs: Hashable, Sendable {
    /// The e-stop circuit is closed (not pressed).
    public var estopClosed: Bool
    /// The safety key (tether) is in place.
    public var keyInserted: Bool
    public var railLeftHeld: Bool
    public var railRightHeld: Bool
    /// Nobody in the zone in front of the member; `true` on machines without that sensor.
    public var frontZoneClear: Bool
    /// An input that cannot be trusted (chattering, unreadable); a hard stop while present.
    public var sensorFault: SensorFault?

    public init(estopClosed: Bool = false, keyInserted: Bool = false, railLeftHeld: Bool = false, railRightHeld: Bool = false,
                frontZoneClear: Bool = true, sensorFault: SensorFault? = nil) {
        self.estopClosed = estopClosed
        self.keyInserted = keyInserted
        self.railLeftHeld = railLeftHeld
        self.railRightHeld = railRightHeld
        self.frontZoneClear = frontZoneClear
        self.sensorFault = sensorFault
    }

    /// Safe to run forwards, nobody on the rails.
    public static let ready = SafetyInputs(estopClosed: true, keyInserted: true)

    /// One line's permissive reading.
    public subscript(line: InputLine) -> Bool {
        get {
            switch line {
            case .estop: return estopClosed
            case .safetyKey: return keyInserted
            case .railLeft: return railLeftHeld
            case .railRight: return railRightHeld
            case .frontZone: return frontZoneClear
            }
        }
        set {
            switch line {
            case .estop: estopClosed = newValue
            case .safetyKey: keyInserted = newValue
            case .railLeft: railLeftHeld = newValue
            case .railRight: railRightHeld = newValue
            case .frontZone: frontZoneClear = newValue
            }
        }
    }
}

/// What the motor drive last told the controller.
public enum DriveFeedback: Hashable, Sendable {
    /// Not yet connected since start-up.
    case connecting
    case online(DriveReport)
    /// The link failed; the reason names the transport and the error.
    case offline(DriveOutage)
}

public struct DriveReport: Hashable, Sendable {
    /// Belt speed derived from the drive's *output* frequency (not its reference).
    public var beltSpeed: Speed
    /// Direction the drive reports, when it reports one.
    public var direction: Direction?
    public var running: Bool
    /// Non-nil while the drive reports a trip.
    public var fault: DriveTrip?
    /// The drive's own zero-speed flag, where it has one. Standstill needs it *and* a zero
    /// output frequency: either alone can be wrong (a flag below a threshold of 1.5 Hz, a
    /// frequency word that lags).
    public var zeroSpeedFlag: Bool?

    public init(beltSpeed: Speed, direction: Direction?, running: Bool, fault: DriveTrip? = nil, zeroSpeedFlag: Bool? = nil) {
        self.beltSpeed = beltSpeed
        self.direction = direction
        self.running = running
        self.fault = fault
        self.zeroSpeedFlag = zeroSpeedFlag
    }
}

public struct DriveTrip: Hashable, Sendable {
    public var code: Int
    public var message: String
    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }
}

/// Drive feedback with the instant the drive thread read it. The core refuses a reading it
/// cannot date: a report older than its bound means a drive thread stuck inside a
/// transaction or a frozen bus, and is a fault, never a speed.
public struct DriveReading: Hashable, Sendable {
    public var feedback: DriveFeedback
    /// When `feedback` was published by the drive thread (monotonic); nil before the first.
    public var at: Instant?

    public init(_ feedback: DriveFeedback, at: Instant?) {
        self.feedback = feedback
        self.at = at
    }
}
