/// The rail-sensor interlock and the hard-stop inputs, as a pure function of inputs and time.
///
/// Rails: while the belt moves in reverse, the member must hold the rails (both, or either if
/// configured). Letting go starts a warning at once; holding again within the grace clears
/// it; otherwise the verdict is `stop` and the treadmill makes a controlled (category 1) stop
/// and pauses. Forward motion does not need the rails.
/// Hard stops: an open e-stop or a pulled key is a fault whatever the belt is doing.
public struct Interlock: Hashable, Sendable {
    public enum RailRule: String, Hashable, Sendable {
        case both
        case either
    }

    public enum RailVerdict: Hashable, Sendable {
        case clear
        case warningStarted(grace: Duration)
        case warning(remaining: Duration)
        case warningCleared
        case stop
        /// Someone is in the front zone while the belt runs in reverse: stop without grace.
        case frontZoneOccupied
    }

    public let rule: RailRule
    public let grace: Duration
    public private(set) var releasedSince: Instant?

    public init(rule: RailRule = .both, grace: Duration = .seconds(1)) {
        self.rule = rule
        self.grace = min(grace, HardLimits.maxRailGrace)
    }

    public func railsHeld(_ inputs: SafetyInputs) -> Bool {
        switch rule {
        case .both: return inputs.railLeftHeld && inputs.railRightHeld
        case .either: return inputs.railLeftHeld || inputs.railRightHeld
        }
    }

    /// The fault an input demands: the one rule for what is a hard stop, used by the safety
    /// thread's reflex and by the core. An untrustworthy input comes first: a line that cannot
    /// be read also reads "open", and the technician needs to hear about the chip or the
    /// cable, not about an e-stop nobody pressed.
    public static func hardStop(_ inputs: SafetyInputs) -> Fault? {
        if let f = inputs.sensorFault { return .sensor(f) }
        if !inputs.estopClosed { return .estopOpen }
        if !inputs.keyInserted { return .safetyKeyPulled }
        return nil
    }

    /// Forgets a running rail warning (after a fault took over the stop).
    public mutating func clearRailWarning() { releasedSince = nil }

    public mutating func watchRails(_ inputs: SafetyInputs, reverseMotion: Bool, at now: Instant) -> RailVerdict {
        guard reverseMotion else {
            let was = releasedSince != nil
            releasedSince = nil
            return was ? .warningCleared : .clear
        }
        if !inputs.frontZoneClear {
            releasedSince = nil
            return .frontZoneOccupied
        }
        if railsHeld(inputs) {
            if releasedSince != nil {
                releasedSince = nil
                return .warningCleared
            }
            return .clear
        }
        guard let since = releasedSince else {
            releasedSince = now
            return grace == .zero ? .stop : .warningStarted(grace: grace)
        }
        let elapsed = now - since
        if elapsed >= grace {
            releasedSince = nil
            return .stop
        }
        return .warning(remaining: grace - elapsed)
    }
}
