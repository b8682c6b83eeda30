import Foundation

/// `treadfleet machines`: every machine that ever sent a message, with its use, its
/// latest counters, its recent faults and whether its belt is due for service.
public struct MachinesReport: Codable, Sendable, Hashable {
    public struct Machine: Codable, Sendable, Hashable {
        public var site: String
        public var machine: String
        /// When treadfleet last stored a message from it.
        public var lastSeen: Date
        public var sessions: Int
        /// From the latest counters; nil until the machine has sent counters.
        public var counters: Counters?
        /// Latched faults in the report's window, by reason code.
        public var recentFaults: [String: Int]
        public var maintenance: ServiceInterval.Status?
    }

    public struct Counters: Codable, Sendable, Hashable {
        /// When the machine took the snapshot.
        public var at: Date
        public var beltKm: Double
        public var reverseKm: Double
        /// Hours the belt (the motor) was running.
        public var runningHours: Double
    }

    public var generatedAt: Date
    /// Faults are counted from here to `generatedAt`.
    public var faultsSince: Date
    public var serviceInterval: ServiceInterval
    public var machines: [Machine]

    public init(generatedAt: Date, faultsSince: Date, serviceInterval: ServiceInterval, machines: [Machine]) {
        self.generatedAt = generatedAt; self.faultsSince = faultsSince; self.serviceInterval = serviceInterval; self.machines = machines
    }
}
