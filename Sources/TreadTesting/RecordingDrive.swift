import Foundation
import TreadCore
import TreadHardware

/// A `MotorDrive` that records every call and whose connect can be made to fail.
public final class RecordingDrive: MotorDrive, @unchecked Sendable {
    public enum Call: Hashable { case connect, disconnect, command(DriveSetpoint), resetFault, readReport }

    private let cond = NSCondition()
    private var _calls: [Call] = []
    private var _connectError: DriveError?
    public var report = DriveReport(beltSpeed: .kmh(1.5), direction: .forward, running: true)
    /// Held for the link; a recording drive makes one call per transaction and never yields.
    public var shouldYield: (@Sendable () -> Bool)?

    public init(connectError: DriveError? = nil) { _connectError = connectError }

    public var description: String { "recording drive" }

    public var connectError: DriveError? {
        get { cond.lock(); defer { cond.unlock() }; return _connectError }
        set { cond.lock(); _connectError = newValue; cond.unlock() }
    }

    public var calls: [Call] { cond.lock(); defer { cond.unlock() }; return _calls }

    private func record(_ c: Call) {
        cond.lock()
        _calls.append(c)
        cond.broadcast()
        cond.unlock()
    }

    /// Waits until `condition` holds for the calls so far, or `timeout` passes.
    public func wait(timeout: TimeInterval = 5, until condition: ([Call]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        cond.lock(); defer { cond.unlock() }
        while !condition(_calls) {
            if !cond.wait(until: deadline) { return condition(_calls) }
        }
        return true
    }

    public func connect() throws(DriveError) {
        record(.connect)
        if let e = connectError { throw e }
    }
    public func disconnect() { record(.disconnect) }
    public func command(_ setpoint: DriveSetpoint) throws(DriveError) { record(.command(setpoint)) }
    public func resetFault() throws(DriveError) { record(.resetFault) }
    public func readReport() throws(DriveError) -> DriveReport {
        record(.readReport)
        return report
    }
}

