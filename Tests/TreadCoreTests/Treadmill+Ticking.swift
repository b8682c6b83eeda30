@testable import TreadCore

extension Treadmill {
    /// One tick with a reading taken now and no requests, through the core's entry point.
    mutating func step(inputs: SafetyInputs, drive: DriveFeedback, at now: Instant) -> Commands {
        handle(.tick(Tick(inputs: inputs, drive: DriveReading(drive, at: now)), requests: []), at: now).commands!
    }
}
