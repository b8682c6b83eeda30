import Testing
@testable import TreadCore

enum HardStopInput: String, CaseIterable, Sendable {
    case estop, key

    var fault: Fault { self == .estop ? .estopOpen : .safetyKeyPulled }

    func set(_ inputs: inout SafetyInputs, safe: Bool) {
        switch self {
        case .estop: inputs.estopClosed = safe
        case .key: inputs.keyInserted = safe
        }
    }
}

/// Latched faults: the belt loses enable in the same step, and only a reset with the cause
/// gone returns to idle, without restarting the belt.
@Suite struct TreadmillFaultTests {
    let p = program(seg(.forward, 4, 60), seg(.reverse, 2, 60))

    func rigRunning() throws -> TreadmillRig {
        var rig = TreadmillRig()
        try rig.start(p)
        rig.expectReach({ $0.belt.speed >= .kmh(3) }, limit: .seconds(30))
        return rig
    }

    @Test(arguments: HardStopInput.allCases)
    func hardStopWhileRunningLatchesAFaultInTheSameStep(input: HardStopInput) throws {
        var rig = try rigRunning()
        input.set(&rig.inputs, safe: false)
        let c = rig.step()
        #expect(!c.enable)
        #expect(c.drive == .stop)
        #expect(c.events.contains(.faultLatched(input.fault)))
        #expect(rig.tm.state == .fault)
        #expect(rig.tm.fault == input.fault)
        #expect(rig.tm.session == nil)

        for c in rig.run(for: .seconds(3)) {
            #expect(!c.enable)
            #expect(c.drive == .stop)
        }
        #expect(throws: RequestError.causePersists(input.fault)) { try rig.tm.reset(at: rig.now) }
        #expect(rig.tm.state == .fault)
        #expect(throws: RequestError.faulted(input.fault)) { try rig.tm.start(p, at: rig.now) }

        input.set(&rig.inputs, safe: true)
        #expect(!rig.step().enable)
        #expect(rig.tm.state == .fault, "closing the circuit alone must not clear the fault")
        try rig.tm.reset(at: rig.now)
        let after = rig.step()
        #expect(after.events == [.faultCleared])
        #expect(rig.tm.state == .idle)
        #expect(rig.tm.fault == nil)

        // A reset never restarts the belt.
        for c in rig.run(for: .seconds(30)) {
            #expect(!c.enable)
            #expect(c.drive == .stop)
        }
        #expect(rig.tm.state == .idle)
        #expect(rig.belt.speed == .zero)

        // A deliberate new start works.
        try rig.tm.start(p, at: rig.now)
        rig.expectReach({ $0.belt.speed > .zero }, limit: .seconds(10))
        #expect(rig.directionViolations.isEmpty)
    }

    @Test func hardStopDuringReverseIsAFaultToo() throws {
        var rig = TreadmillRig()
        try rig.start(program(seg(.forward, 2, 5), seg(.reverse, 3, 60)))
        rig.expectReach({ $0.belt.velocity < -2 }, limit: .seconds(60))
        rig.inputs.estopClosed = false
        let c = rig.step()
        #expect(!c.enable && c.drive == .stop)
        #expect(rig.tm.state == .fault)
    }

    @Test func driveOfflineIsAFault() throws {
        var rig = try rigRunning()
        rig.driveOverride = .offline(.notAnswering("no reply from drive 1"))
        let c = rig.step()
        #expect(!c.enable)
        #expect(c.drive == .stop)
        #expect(rig.tm.state == .fault)
        #expect(rig.tm.fault?.code == "drive_offline")
        #expect(c.events.map(\.kind) == ["fault"])

        let refused = #expect(throws: RequestError.self) { try rig.tm.reset(at: rig.now) }
        #expect(refused?.code == "cause_persists")
        rig.driveOverride = nil
        rig.step()
        try rig.tm.reset(at: rig.now)
        rig.step()
        #expect(rig.tm.state == .idle)
    }

    @Test func resetWithoutAFaultIsRefused() {
        var rig = TreadmillRig()
        rig.step()
        #expect(throws: RequestError.nothingToReset) { try rig.tm.reset(at: rig.now) }
    }
}
