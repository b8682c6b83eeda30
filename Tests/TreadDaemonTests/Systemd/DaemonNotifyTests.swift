import Foundation
import Logging
import Testing
import TreadTesting
import TreadCore
import TreadHardware
@testable import TreadDaemon

/// The daemon under a pretend systemd: the test binds the notify socket, starts a `Daemon`
/// with NOTIFY_SOCKET and WATCHDOG_USEC as systemd would pass them, and reads what arrives.
@Suite(.serialized) struct DaemonNotifyTests {
    /// WatchdogSec for these tests: pings every 200 ms.
    static let watchdog = Duration.milliseconds(400)

    final class Rig {
        let dir: TempFolder
        let sim: SimulatorHarness
        let listener: NotifyListener
        let daemon: Daemon

        init(notifyName: String = "notify.sock") throws {
            dir = try TempFolder()
            let address = notifyName.hasPrefix("@") ? notifyName : dir.url.appendingPathComponent(notifyName).path
            listener = try NotifyListener(address: address)
            var config = try DaemonConfig.load(path: PackagePaths.demoConfig)
            sim = try SimulatorHarness(profile: config.profile)
            config.socketPath = dir.url.appendingPathComponent("treadd.sock").path
            config.modbus = sim.settings
            var logger = Logger(label: "test.treadd")
            logger.logLevel = .critical
            daemon = try Daemon(config: config, logger: logger,
                                systemd: SystemdEnvironment(notifySocket: address, watchdog: DaemonNotifyTests.watchdog))
            try daemon.start()
        }

        func close() {
            daemon.control.stallForTesting(false)
            daemon.stop()
            try? sim.stop()
            dir.remove()
        }
    }

    @Test func readyComesBeforeAnyWatchdogPingThenPingsThenStoppingAtShutdown() throws {
        let rig = try Rig()
        var closed = false
        defer { if !closed { rig.close() } }

        let first = try #require(rig.listener.next(timeout: .seconds(5)), "no notification at all")
        #expect(first.notifyFields["READY"] == "1", "the first message must be READY=1, got \(first)")
        #expect(first.notifyFields["WATCHDOG"] == nil)
        #expect(first.notifyFields["STATUS"]?.hasPrefix("idle, drive ") == true, "got \(first)")

        // Pings keep coming while the loop ticks.
        var pings = 0
        let seen = rig.listener.await(timeout: .seconds(5)) { m in
            if m.notifyFields["WATCHDOG"] == "1" { pings += 1 }
            return pings == 3
        }
        #expect(seen != nil, "fewer than 3 watchdog pings in 5 s with WatchdogSec=400ms")

        // The status line follows the drive coming online (a state change, sent once).
        let isOnline: (String) -> Bool = { $0.notifyFields["STATUS"]?.hasPrefix("idle, drive online,") == true }
        if !rig.listener.received.contains(where: isOnline) { _ = rig.listener.await(timeout: .seconds(5), isOnline) }
        let programs = rig.daemon.programs.programs.count
        let statuses = rig.listener.received.compactMap { $0.notifyFields["STATUS"] }
        #expect(statuses.contains("idle, drive online, \(programs) programs"), "status lines: \(statuses)")
        #expect(Set(statuses).count == statuses.count, "a status line was sent again without a change: \(statuses)")

        // stop() sends STOPPING=1 before it stops anything; the datagram waits in the socket.
        rig.close()
        closed = true
        let tail = try #require(rig.listener.await(timeout: .seconds(2)) { $0.notifyFields["STOPPING"] == "1" }, "no STOPPING=1 at shutdown")
        #expect(tail.last?.notifyFields["STATUS"]?.contains("controlled stop") == true)
    }

    @Test func aStalledControlLoopStopsTheWatchdogPingsAndTheyResumeWhenItTicksAgain() throws {
        let rig = try Rig()
        defer { rig.close() }
        #expect(rig.listener.await(timeout: .seconds(5)) { $0.notifyFields["WATCHDOG"] == "1" } != nil, "no ping from a healthy loop")

        // Stall right after a ping, so no older ping is still waiting in the socket.
        #expect(rig.listener.await(timeout: .seconds(5)) { $0.notifyFields["WATCHDOG"] == "1" } != nil)
        rig.daemon.control.stallForTesting(true)
        try #require(eventually { rig.daemon.control.isStalledForTesting }, "the loop did not stall")
        let ticks = rig.daemon.control.tickCount

        // At most one ping can still be in flight (the check that saw the last ticks before
        // the stall); after that, none for several watchdog intervals.
        let during = rig.listener.collect(for: Self.watchdog * 3).filter { $0.notifyFields["WATCHDOG"] == "1" }
        #expect(during.count <= 1, "\(during.count) pings from a stalled loop")
        #expect(rig.daemon.control.tickCount == ticks, "the loop ticked while stalled")

        rig.daemon.control.stallForTesting(false)
        #expect(rig.listener.await(timeout: .seconds(3)) { $0.notifyFields["WATCHDOG"] == "1" } != nil, "pings did not resume")
    }

    /// The control loop ticks on, but the input thread has stopped: no pings, so systemd
    /// restarts treadd, and its lines are counted lost meanwhile.
    @Test func aStalledInputThreadStopsTheWatchdogPingsToo() throws {
        let rig = try Rig()
        defer { rig.close() }
        #expect(rig.listener.await(timeout: .seconds(5)) { $0.notifyFields["WATCHDOG"] == "1" } != nil, "no ping from a healthy daemon")
        let sim = try #require(rig.daemon.inputs as? SimulatedInputs)
        sim.haltThread()
        // Past the input bound, at most one ping still in flight from before it.
        _ = rig.listener.collect(for: ControlLoop.inputHeartbeatBound + Self.watchdog)
        let ticks = rig.daemon.control.tickCount
        let during = rig.listener.collect(for: Self.watchdog * 3).filter { $0.notifyFields["WATCHDOG"] == "1" }
        #expect(during.isEmpty, "\(during.count) pings while the input thread was stalled")
        #expect(rig.daemon.control.tickCount > ticks, "the control loop itself kept ticking")
        sim.resumeThread()
        #expect(rig.listener.await(timeout: .seconds(3)) { $0.notifyFields["WATCHDOG"] == "1" } != nil, "pings did not resume")
    }

    @Test func anAbstractNamespaceSocketIsReached() throws {
        let name = "@treadd-test-\(UUID().uuidString.prefix(8))"
        let rig = try Rig(notifyName: name)
        defer { rig.close() }
        let first = try #require(rig.listener.next(timeout: .seconds(5)))
        #expect(first.notifyFields["READY"] == "1")
    }

    @Test func withoutANotifySocketNothingIsSent() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        var config = try DaemonConfig.load(path: PackagePaths.demoConfig)
        config.socketPath = dir.url.appendingPathComponent("treadd.sock").path
        config.modbus = ModbusSettings(transport: .tcp(host: "127.0.0.1", port: 1), unit: 1)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let daemon = try Daemon(config: config, logger: logger)
        try daemon.start()
        #expect(daemon.notifier == nil)
        daemon.stop()
    }
}
