import Foundation
import Glibc
import Logging
import Testing
import TreadTesting
import TreadCore
import TreadHardware
import TreadProtocol
@testable import TreadDaemon

/// The Prometheus endpoint: opt-in, loopback only, and the numbers it serves.
@Suite(.serialized) struct MetricsTests {
    @Test func listenIsParsedAndMustBeLoopback() throws {
        #expect(try MetricsEndpoint(parsing: "127.0.0.1:9464") == MetricsEndpoint(host: "127.0.0.1", port: 9464))
        #expect(try MetricsEndpoint(parsing: "[::1]:9464") == MetricsEndpoint(host: "::1", port: 9464))
        #expect(try MetricsEndpoint(parsing: "localhost:1") == MetricsEndpoint(host: "localhost", port: 1))
        #expect(throws: MetricsEndpoint.ParseError.notLoopback("0.0.0.0")) { try MetricsEndpoint(parsing: "0.0.0.0:9464") }
        #expect(throws: MetricsEndpoint.ParseError.notLoopback("192.168.1.5")) { try MetricsEndpoint(parsing: "192.168.1.5:9464") }
        #expect(throws: MetricsEndpoint.ParseError.badPort("70000")) { try MetricsEndpoint(parsing: "127.0.0.1:70000") }
        #expect(throws: MetricsEndpoint.ParseError.malformed("9464")) { try MetricsEndpoint(parsing: "9464") }
    }

    @Test func eventsAreCountedAndStatusBecomesGauges() {
        let m = DaemonMetrics()
        var faulted = Status(state: "fault", drive: "online")
        faulted.fault = .init(code: "estop", message: "emergency stop pressed")
        m.observe(ServerMessage(event: "session_started", status: Status(state: "running")))
        m.observe(ServerMessage(event: "rail_warning", status: Status(state: "running")))
        m.observe(ServerMessage(event: "fault", status: faulted))
        m.observe(ServerMessage(event: "progress", status: faulted))
        m.recordPoll(.milliseconds(7))
        var stats = DriveLink.Stats()
        stats.transactions = 40
        stats.errors = 2
        var running = Status(state: "running", direction: "reverse", targetSpeedKmh: 2.5, beltSpeedKmh: 2.4, enable: true, drive: "online")
        running.program = "demo"
        let machine = MachineCounters(beltM: 1234.5, reverseM: 300, runningS: 3600, directionChanges: 7, railReleases: 3,
                                      driveCommErrors: 9, faults: ["estop": 2])
        let text = String(decoding: m.render(status: running, drive: stats, machine: machine), as: UTF8.self)
        #expect(text.contains("treadd_state{state=\"running\"} 1"))
        #expect(text.contains("treadd_state{state=\"idle\"} 0"))
        #expect(text.contains("treadd_belt_speed_kmh 2.4"))
        #expect(text.contains("treadd_belt_reverse 1"))
        #expect(text.contains("treadd_faults_total{reason=\"estop\"} 1"))
        #expect(text.contains("treadd_faults_total{reason=\"drive_offline\"} 0"))
        #expect(text.contains("treadd_rail_releases_total 1"))
        #expect(text.contains("treadd_sessions_total{outcome=\"started\"} 1"))
        #expect(text.contains("treadd_modbus_transactions_total 40"))
        #expect(text.contains("treadd_modbus_errors_total 2"))
        #expect(text.contains("treadd_modbus_poll_seconds_count 1"))
        #expect(text.contains("treadd_odometer_belt_metres 1234.5"))
        #expect(text.contains("treadd_odometer_reverse_metres 300"))
        #expect(text.contains("treadd_odometer_running_seconds 3600"))
        #expect(text.contains("treadd_odometer_direction_changes 7"))
        #expect(text.contains("treadd_odometer_rail_releases 3"))
        #expect(text.contains("treadd_odometer_drive_comm_errors 9"))
        #expect(text.contains("treadd_odometer_faults{reason=\"estop\"} 2"))
        // The drive link's totals are mirrored, not added twice.
        stats.transactions = 45
        let again = String(decoding: m.render(status: running, drive: stats, machine: machine), as: UTF8.self)
        #expect(again.contains("treadd_modbus_transactions_total 45"))
    }

    @Test func aDaemonWithMetricsServesThemOverHTTPAndNothingElse() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        var config = try DaemonConfig.load(path: PackagePaths.demoConfig)
        let sim = try SimulatorHarness(profile: config.profile)
        defer { try? sim.stop() }
        config.socketPath = dir.url.appendingPathComponent("treadd.sock").path
        config.modbus = sim.settings
        config.metrics = MetricsEndpoint(host: "127.0.0.1", port: 0)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let daemon = try Daemon(config: config, logger: logger)
        try daemon.start()
        defer { daemon.stop() }
        let port = try #require(daemon.metricsPort)

        let response = try httpGet(port: port, path: "/metrics")
        #expect(response.hasPrefix("HTTP/1.1 200 OK"))
        #expect(response.contains("Content-Type: text/plain; version=0.0.4"))
        #expect(response.contains("treadd_state{state=\"idle\"} 1"))
        #expect(response.contains("# TYPE treadd_modbus_poll_seconds histogram"))
        #expect(try httpGet(port: port, path: "/").hasPrefix("HTTP/1.1 404"))
    }

    /// One HTTP/1.0-style exchange on a raw socket: the whole response as text.
    func httpGet(port: Int, path: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw POSIXError(.ECONNREFUSED) }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var out = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The drive thread's poll times reach the histogram through a lock-free ring.
@Suite struct PollTimesTests {
    @Test func durationsComeOutInOrderAndAFullRingDropsAndCounts() {
        let ring = PollTimes()
        for i in 0..<10 { ring.push(.milliseconds(i)) }
        #expect(ring.drain() == (0..<10).map { .milliseconds($0) })
        #expect(ring.drain().isEmpty)
        for i in 0..<(PollTimes.capacity + 5) { ring.push(.microseconds(i)) }
        #expect(ring.dropped == 5)
        #expect(ring.drain().count == PollTimes.capacity)
    }

    /// Two threads at once, within the capacity (so nothing may be dropped): every duration
    /// arrives once, in order, whatever the interleaving of pushes and drains.
    @Test func aProducerThreadAndAConsumerLoseNothingInsideTheCapacity() {
        let ring = PollTimes()
        let total = PollTimes.capacity
        let producer = Thread { for i in 0..<total { ring.push(.nanoseconds(i + 1)) } }
        producer.start()
        var seen: [Duration] = []
        while seen.count < total { seen += ring.drain() }
        #expect(seen == (0..<total).map { .nanoseconds($0 + 1) })
        #expect(ring.dropped == 0)
    }
}
