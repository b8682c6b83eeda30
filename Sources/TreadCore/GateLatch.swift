/// The safety gate's decision, without its lock or its outputs: trips made by the input
/// thread hold enable off and the drive stopped until the core has latched a fault on
/// readings that include them. Pure, so the model check composes it with the monitor, the
/// core and the link policy.
///
/// `trips` counts every hard stop the input thread acted on; `acknowledged` is the count the
/// core had seen when it last stood faulted. While `trips > acknowledged` the gate holds.
public struct GateLatch: Hashable, Sendable {
    public private(set) var trips = 0
    public private(set) var acknowledged = 0
    /// The latest trip not yet acknowledged.
    public private(set) var reason: Fault?

    public init() {}

    /// The input thread acted on a hard stop.
    public mutating func trip(_ why: Fault) {
        trips += 1
        reason = why
    }

    /// Why the gate holds, while it does.
    public var hold: Fault? { trips > acknowledged ? reason : nil }

    /// What may reach the outputs from one tick's commands. `latched`: the core stands
    /// faulted after a step on readings taken when `seen` trips had happened.
    public mutating func pass(_ commands: Commands, latched: Bool, seen: Int) -> (enable: Bool, drive: DriveSetpoint, resetFault: Bool) {
        if latched { acknowledged = max(acknowledged, min(seen, trips)) }
        let held = trips > acknowledged
        return (commands.enable && !held, held ? .stop : commands.drive, commands.resetDriveFault && !held)
    }
}
