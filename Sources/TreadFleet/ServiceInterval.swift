/// When a belt is due for service, by its distance. treadfleet does not know when a belt
/// was last serviced (no such message exists yet), so "due" means the odometer has passed a
/// multiple of the interval: due at 2500 km, again at 5000 km, and so on.
public struct ServiceInterval: Codable, Sendable, Hashable {
    public var km: Double

    public init(km: Double) { self.km = km }

    public static let `default` = ServiceInterval(km: 2500)

    public struct Status: Codable, Sendable, Hashable {
        /// The odometer has reached at least one interval.
        public var due: Bool
        /// The highest multiple reached (the service that fell due), when due.
        public var dueAtKm: Double?
        /// The next multiple ahead.
        public var nextAtKm: Double

        public init(due: Bool, dueAtKm: Double?, nextAtKm: Double) {
            self.due = due; self.dueAtKm = dueAtKm; self.nextAtKm = nextAtKm
        }
    }

    public func status(beltKm: Double) -> Status {
        guard km > 0 else { return Status(due: false, dueAtKm: nil, nextAtKm: .infinity) }
        let reached = (beltKm / km).rounded(.down)
        return Status(due: reached >= 1, dueAtKm: reached >= 1 ? reached * km : nil, nextAtKm: (reached + 1) * km)
    }
}
