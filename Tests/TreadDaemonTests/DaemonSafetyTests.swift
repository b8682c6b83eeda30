import Foundation
import Testing
import TreadTesting
import TreadCore
import TreadHardware
@testable import TreadDaemon

/// The whole daemon (control loop, drive link on the in-process simulator, socket) reacting
/// to simulated input edges.
@Suite(.serialized) struct DaemonSafetyTests {
    func startDemo(_ rig: SocketServerTests.Rig) throws {
        let program = try #require(rig.daemon.programs.programs["demo"])
        #expect(eventually(timeout: .seconds(10)) { rig.daemon.control.status.drive == "online" })
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcome: Result<Void, RequestError>?
        rig.daemon.control.submit(.start(program)) { r in outcome = r; done.signal() }
        done.wait()
        #expect(throws: Never.self) { try outcome!.get() }
        #expect(eventually(timeout: .seconds(10)) { rig.daemon.enable.isEnergised }, "the session never energised the enable output")
    }

    @Test func anEstopEdgeWhileRunningDropsEnableAtOnceAndLatchesAFault() throws {
        let rig = try SocketServerTests.Rig()
        defer { rig.close() }
        try startDemo(rig)
        let sim = try #require(rig.daemon.inputs as? SimulatedInputs)
        sim.set(.estop, false)
        #expect(!rig.daemon.enable.isEnergised, "enable must drop in the edge's own call, not at the next tick")
        #expect(eventually(timeout: .seconds(10)) { rig.daemon.control.status.state == "fault" })
        #expect(rig.daemon.control.status.fault?.code == "estop")
        // Reset refused while the e-stop is open; accepted once it is closed.
        #expect(rig.submit(.reset)?.code == "cause_persists")
        sim.set(.estop, true)
        #expect(eventually(timeout: .seconds(10)) { rig.daemon.control.status.estop == "closed" })
        #expect(rig.submit(.reset) == nil)
        #expect(!rig.daemon.enable.isEnergised, "a reset never restarts the belt")
    }

    @Test func aChatteringRailLatchesASensorFaultNamingIt() throws {
        let rig = try SocketServerTests.Rig()
        defer { rig.close() }
        try startDemo(rig)
        let sim = try #require(rig.daemon.inputs as? SimulatedInputs)
        for i in 0..<12 { sim.set(.railLeft, i % 2 == 1) }
        #expect(!rig.daemon.enable.isEnergised)
        #expect(eventually(timeout: .seconds(10)) { rig.daemon.control.status.state == "fault" })
        let fault = try #require(rig.daemon.control.status.fault)
        #expect(fault.code == "sensor")
        #expect(fault.message.contains("rail_left"))
    }

    /// Regression: the control loop's publish sink and the safety monitor's listener were bare
    /// closures in a `Mutex`, and every `withLock { $0 }` stored them back wrapped in one more
    /// pair of reabstraction thunks. Each tick's publish went deeper until the control thread's
    /// stack overflowed: a release treadd on the demo config crashed (SIGSEGV) after about
    /// 3 minutes idle, some 4600 ticks at 25 Hz. Here the loop ticks at 2 kHz, well past that.
    @Test func theControlLoopAndTheInputListenerSurviveManyTicksAndEdges() throws {
        let rig = try SocketServerTests.Rig { $0.controlHz = 2000 }
        defer { rig.close() }
        let sim = try #require(rig.daemon.inputs as? SimulatedInputs)
        for i in 0..<20_000 { sim.set(.railLeft, i % 2 == 1) }  // each edge goes through the listener
        #expect(eventually(timeout: .seconds(60)) { rig.daemon.control.tickCount >= 20_000 }, "ticks: \(rig.daemon.control.tickCount)")
        // Still serving after all that.
        let c = try rig.client()
        _ = c.readLine()  // the greeting
        c.send(#"{"id":1,"method":"status"}"# + "\n")
        let reply = try #require(c.readLine(), "no reply from the daemon")
        #expect(reply.contains(#""id":1"#))
    }

}
