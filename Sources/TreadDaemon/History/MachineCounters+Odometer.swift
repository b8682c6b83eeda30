import TreadCore
import TreadProtocol

extension MachineCounters {
    /// This run's counters: the control loop's odometer and the drive link's failed transactions.
    init(_ o: Odometer, driveCommErrors: Int) {
        self.init(beltM: o.distance, reverseM: o.reverseDistance, runningS: o.runningTime.inSeconds,
                  directionChanges: o.directionChanges, railReleases: o.railReleases, driveCommErrors: driveCommErrors,
                  faults: o.faults)
    }
}
