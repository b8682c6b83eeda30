import Foundation
import Logging
import Testing
import TreadTesting
import TreadCore
import TreadHardware
@testable import TreadDaemon

/// Things that make treadd refuse to start, each with a message a technician can act on.
@Suite struct StartupChecksTests {
    func config(device: String) throws -> DaemonConfig {
        var c = try DaemonConfig.load(path: PackagePaths.demoConfig)
        c.modbus = ModbusSettings(transport: .rtu(SerialSettings(device: device, baud: 19200, parity: "N", dataBits: 8, stopBits: 1, rs485: false)), unit: 1)
        return c
    }

    @Test func aMissingSerialDeviceIsAStartUpErrorNamingIt() throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let c = try config(device: "/dev/treadmill-drive-missing")
        do throws(DaemonError) {
            _ = try Daemon(config: c, logger: logger)
            Issue.record("a daemon started without its serial device")
        } catch {
            guard case .serialDeviceMissing(let path) = error else { Issue.record("got \(error)"); return }
            #expect(path == "/dev/treadmill-drive-missing")
            #expect(error.description.contains("/dev/treadmill-drive-missing does not exist"))
            #expect(error.description.contains("udev"))
        }
    }

    @Test func anExistingDeviceIsAccepted() throws {
        #expect(throws: Never.self) { try SerialDeviceCheck.check(try config(device: "/dev/null").modbus.transport) }
    }

    @Test func theSocketGetsMode0660AndTheConfiguredGroupWhenItExists() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let path = try dir.write("s", "")
        #expect(SocketAccess.apply(path: path, group: "no-such-group-treadd") == .groupMissing("no-such-group-treadd"))
        let attrs = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attrs[.posixPermissions] as? Int) == 0o660)
        // The group of the test process itself always exists and may always be given.
        let own = try #require(getgrgid(getegid())).pointee
        let name = String(cString: own.gr_name)
        #expect(SocketAccess.apply(path: path, group: name) == .grouped(name))
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.groupOwnerAccountID] as? Int) == Int(getegid()))
    }
}
