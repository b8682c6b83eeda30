import Foundation
import TreadCore

/// Waiting for a state that has no event to await: another thread's status snapshot, a
/// counter, a database's health. Where a test can await an event (a call a `RecordingDrive`
/// records, a notify datagram, a process's output line), it awaits that instead.
///
/// The deadline is an upper bound, never a pace: the wait ends as soon as the condition holds,
/// and the condition is checked once more at the deadline, so a slow machine fails only a
/// state that really did not come. These are the only wall-clock polling loops the tests use.

/// A wait whose condition did not hold before its deadline; the description names what was awaited.
public struct WaitTimedOut: Error, CustomStringConvertible {
    public let what: String
    public let timeout: Duration
    public init(_ what: String, timeout: Duration) {
        self.what = what
        self.timeout = timeout
    }
    public var description: String { "timed out after \(timeout) waiting for \(what)" }
}

/// Polls `condition` every `interval` until it holds or `timeout` passes; returns whether it
/// held. For `#expect(eventually { ... }, "what")`, where the test goes on either way.
public func eventually(timeout: Duration = .seconds(5), every interval: Duration = .milliseconds(10), _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: interval.inSeconds)
    }
    return try condition()
}

/// As `eventually`, but throws `WaitTimedOut` naming `what` when the condition does not hold:
/// for a state the rest of the test depends on.
public func waitUntil(_ what: String, timeout: Duration = .seconds(5), every interval: Duration = .milliseconds(10), _ condition: () throws -> Bool) throws {
    guard try eventually(timeout: timeout, every: interval, condition) else { throw WaitTimedOut(what, timeout: timeout) }
}
