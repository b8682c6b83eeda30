import Foundation
import Logging
import Testing
import TreadTesting
import TreadCore
import TreadHardware
@testable import TreadDaemon

/// SIGHUP's work: the programs folder is read again; limits stay as they were started.
@Suite struct ProgramReloadTests {
    @Test func reloadPicksUpANewProgramAndDropsARemovedOneButKeepsTheLimits() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let demo = try String(contentsOfFile: PackagePaths.programs + "/demo.toml", encoding: .utf8)
        try dir.write("programs/first.toml", demo)
        var config = try DaemonConfig.load(path: PackagePaths.demoConfig)
        config.programsDirectory = dir.url.appendingPathComponent("programs").path
        config.socketPath = dir.url.appendingPathComponent("treadd.sock").path
        config.modbus = ModbusSettings(transport: .tcp(host: "127.0.0.1", port: 1), unit: 1)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let daemon = try Daemon(config: config, logger: logger)
        try daemon.start()
        defer { daemon.stop() }
        #expect(daemon.programs.programs.keys.sorted() == ["first"])

        try dir.write("programs/second.toml", demo)
        try FileManager.default.removeItem(atPath: dir.url.appendingPathComponent("programs/first.toml").path)
        try dir.write("programs/broken.toml", "this is = = not toml")
        #expect(daemon.reloadPrograms() == 1)
        #expect(daemon.programs.programs.keys.sorted() == ["second"])
        #expect(daemon.programs.broken.keys.sorted() == ["broken"])
        #expect(daemon.config.limits == config.limits)
    }
}
