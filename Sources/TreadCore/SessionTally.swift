/// What a session has actually done, measured from the belt speed the drive reports (not the
/// program): time on the moving belt, distance forwards and backwards, and energy when the
/// member's body mass is known. Accumulated tick by tick by the treadmill; pure arithmetic.
public struct SessionTally: Hashable, Sendable {
    /// Time the belt moved (above standstill), by direction.
    public var forwardTime: Duration = .zero
    public var reverseTime: Duration = .zero
    /// Metres, by direction.
    public var forwardDistance: Double = 0
    public var reverseDistance: Double = 0
    /// Estimated kcal; nil when no body mass is known (no member, or a member without one).
    public var energy: EnergyEstimate?

    public init(massKnown: Bool = false) {
        energy = massKnown ? EnergyEstimate(kcal: 0) : nil
    }

    public var movingTime: Duration { forwardTime + reverseTime }
    public var distance: Double { forwardDistance + reverseDistance }

    /// Share of moving time spent backwards, 0...1.
    public var reverseShare: Double {
        let t = movingTime.inSeconds
        return t > 0 ? reverseTime.inSeconds / t : 0
    }

    /// Adds `dt` at a measured belt speed. Time at standstill adds nothing: no distance, and
    /// energy counts exercise on the belt, not standing still during a dwell.
    public mutating func add(speed: Speed, direction: Direction?, grade: Double, massKg: Double?, over dt: Duration) {
        guard let direction, speed.kmh > 0, dt > .zero else { return }
        let metres = speed.metresPerSecond * dt.inSeconds
        switch direction {
        case .forward:
            forwardTime += dt
            forwardDistance += metres
        case .reverse:
            reverseTime += dt
            reverseDistance += metres
        }
        if let massKg, var e = energy {
            e.kcal += EnergyModel.kcalPerMinute(speed: speed, direction: direction, grade: grade, massKg: massKg) * dt.inSeconds / 60
            energy = e
        }
    }

    /// The difference since an earlier tally of the same session (one segment's share).
    public func since(_ earlier: SessionTally) -> SessionTally {
        var d = SessionTally()
        d.forwardTime = forwardTime - earlier.forwardTime
        d.reverseTime = reverseTime - earlier.reverseTime
        d.forwardDistance = forwardDistance - earlier.forwardDistance
        d.reverseDistance = reverseDistance - earlier.reverseDistance
        if let e = energy { d.energy = EnergyEstimate(kcal: e.kcal - (earlier.energy?.kcal ?? 0)) }
        return d
    }
}
