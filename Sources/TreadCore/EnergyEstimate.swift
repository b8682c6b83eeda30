/// Estimated energy use from the ACSM metabolic equations, with a multiplier for walking or
/// running backwards. An *estimate*: the equations are population averages for steady
/// forward treadmill exercise (ACSM's Guidelines for Exercise Testing and Prescription), and
/// the backwards multiplier is a round figure from the literature (about 1.3, the "30% more
/// calories" of the training notes; studies give 1.3-1.5 for walking, about 1.3 for running).
/// Every place that shows a number from here labels it as an estimate (docs/energy.md).
public enum EnergyModel {
    /// Resting oxygen uptake, ml/kg/min (1 MET).
    public static let restingVO2 = 3.5
    /// Multiplies the speed-dependent part of VO2 for a reverse segment.
    public static let backwardsMultiplier = 1.3
    /// At and above this speed the running equation is used (134 m/min, ACSM's lower bound
    /// for running); below it, the walking equation.
    public static let runningFrom = Speed.kmh(134 * 60 / 1000.0)
    /// kcal per litre of oxygen, the usual round figure.
    public static let kcalPerLitreO2 = 5.0

    /// Oxygen uptake in ml/kg/min at `speed` on `grade` (a fraction, 0.05 = 5%).
    ///
    /// Walking: 3.5 + 0.1·S + 1.8·S·G; running: 3.5 + 0.2·S + 0.9·S·G, S in m/min. Backwards,
    /// the speed-dependent part is multiplied by `backwardsMultiplier`.
    public static func vo2(speed: Speed, direction: Direction, grade: Double = 0) -> Double {
        guard speed.kmh > 0 else { return restingVO2 }
        let s = speed.kmh * 1000 / 60
        let g = max(0, grade)
        let moving = speed >= runningFrom ? 0.2 * s + 0.9 * s * g : 0.1 * s + 1.8 * s * g
        return restingVO2 + moving * (direction == .reverse ? backwardsMultiplier : 1)
    }

    /// Estimated kcal per minute for a member of `massKg`.
    public static func kcalPerMinute(speed: Speed, direction: Direction, grade: Double = 0, massKg: Double) -> Double {
        vo2(speed: speed, direction: direction, grade: grade) * massKg / 1000 * kcalPerLitreO2
    }
}

/// An energy figure that carries its nature: always an estimate, in kcal.
public struct EnergyEstimate: Hashable, Sendable, CustomStringConvertible {
    public var kcal: Double
    public init(kcal: Double) { self.kcal = kcal }
    public var description: String { "~\(Int(kcal.rounded())) kcal (estimate)" }
}

extension Segment {
    /// Estimated energy of the segment as planned, for a member of `massKg`.
    public func energy(massKg: Double) -> EnergyEstimate {
        EnergyEstimate(kcal: EnergyModel.kcalPerMinute(speed: speed, direction: direction, grade: grade, massKg: massKg)
                       * duration.inSeconds / 60)
    }
}

extension Program {
    /// Estimated energy of the whole program as planned (ramps and dwells not counted).
    public func energy(massKg: Double) -> EnergyEstimate {
        EnergyEstimate(kcal: segments.reduce(0) { $0 + $1.energy(massKg: massKg).kcal })
    }
}
