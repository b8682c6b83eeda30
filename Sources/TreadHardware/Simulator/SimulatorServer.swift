import CModbus
import Foundation
import TreadCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the simulated drive listens.
public enum SimulatorTransport: Hashable, Sendable, CustomStringConvertible {
    /// Modbus TCP server on an IPv4 address ("0.0.0.0" for all, "localhost" for 127.0.0.1).
    case tcp(host: String, port: Int)
    /// Modbus RTU slave on a serial device (or a PTY).
    case rtu(device: String, baud: Int, parity: Character, dataBits: Int, stopBits: Int)

    public var description: String {
        switch self {
        case .tcp(let host, let port): "tcp \(host):\(port)"
        case .rtu(let device, let baud, let parity, let dataBits, let stopBits): "rtu \(device) \(baud) \(dataBits)\(parity)\(stopBits)"
        }
    }
}

public struct SimulatorError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Serves a `DriveSimulator` as a real Modbus server through libmodbus, on the calling
/// thread: Modbus TCP (any number of clients) or Modbus RTU (one serial line).
///
/// Every request is served against the simulator's registers at that moment (advanced to
/// now): they are copied into a libmodbus mapping of all 65536 holding registers,
/// `modbus_reply` answers, and writes (FC06, FC16, and FC22/FC23 as libmodbus applies them)
/// are then applied to the simulator with their side effects. The physics also advance at
/// least every 10 ms without traffic. On TCP, requests for another unit id than `unit` (0
/// and 255 are accepted too) get no answer, as an RTU drive would behave.
///
/// Optional log: JSON Lines, flushed per line, `t` in seconds since the server started.
///     {"t":1.234,"kind":"request","fc":6,"address":8192,"values":[18],"output_hz":0.00,"direction":"forward","running":false}
///     {"t":1.250,"kind":"state","output_hz":12.34,"direction":"reverse","running":true,"trip":0}
/// Request lines carry the state before the request was applied; `values` holds the
/// written values (empty for reads). State lines appear when the output moves more than
/// 0.05 Hz, or direction, running or trip change, and at least every 0.5 s. `running` is
/// the status word's running bit: run commanded or the output still above 0.
public final class SimulatorServer {
    public let profile: DriveProfile
    public let transport: SimulatorTransport
    public let unit: Int
    public private(set) var simulator: DriveSimulator
    /// The bound endpoint (with the real port when port 0 was asked for).
    public private(set) var endpoint: String

    private let ctx: OpaquePointer
    private let mapping: UnsafeMutablePointer<modbus_mapping_t>
    private var listenSocket: Int32 = -1
    private var clients: [Int32] = []
    private var logFile: UnsafeMutablePointer<FILE>?
    private let started: Instant
    private var lastState: LoggedState?
    private var buffer = [UInt8](repeating: 0, count: 260)

    private struct LoggedState {
        var at: Instant
        var outputHz: Double
        var direction: Direction
        var running: Bool
        var trip: Int
    }

    public init(profile: DriveProfile, transport: SimulatorTransport, unit: Int = 1, log: String? = nil) throws(SimulatorError) {
        self.profile = profile
        self.transport = transport
        self.unit = unit
        self.simulator = DriveSimulator(profile: profile)
        self.started = Self.monotonicNow()
        self.endpoint = transport.description

        let context: OpaquePointer
        switch transport {
        case .tcp(let host, let port):
            guard (0...255).contains(unit) else { throw SimulatorError("unit \(unit) must be 0...255 on Modbus TCP") }
            guard (0...65535).contains(port) else { throw SimulatorError("port \(port) must be 0...65535") }
            let ip: String = switch host {
            case "localhost": "127.0.0.1"
            case "", "*": "0.0.0.0"
            default: host
            }
            var probe = in_addr()
            guard inet_pton(AF_INET, ip, &probe) == 1 else {
                throw SimulatorError("host \"\(host)\" must be an IPv4 address (or localhost)")
            }
            guard let c = modbus_new_tcp(ip, Int32(port)) else {
                throw SimulatorError("cannot create Modbus TCP context for \(host):\(port): \(Self.lastError())")
            }
            context = c
            let s = modbus_tcp_listen(c, 16)
            guard s >= 0 else {
                let message = Self.lastError()
                modbus_free(c)
                throw SimulatorError("cannot listen on \(host):\(port): \(message)")
            }
            listenSocket = s
            endpoint = "tcp \(host):\(Self.boundPort(s) ?? port)"
        case .rtu(let device, let baud, let parity, let dataBits, let stopBits):
            guard (1...247).contains(unit) else { throw SimulatorError("unit \(unit) must be 1...247 on Modbus RTU") }
            guard let p = parity.asciiValue, "NEO".contains(parity) else { throw SimulatorError("parity must be N, E or O, got \(parity)") }
            guard let c = modbus_new_rtu(device, Int32(baud), CChar(p), Int32(dataBits), Int32(stopBits)) else {
                throw SimulatorError("cannot create Modbus RTU context for \(device): \(Self.lastError())")
            }
            context = c
            modbus_set_slave(c, Int32(unit))
            guard modbus_connect(c) == 0 else {
                let message = Self.lastError()
                modbus_free(c)
                throw SimulatorError("cannot open \(device): \(message)")
            }
        }
        ctx = context
        // libmodbus sleeps for the response timeout before flushing after a malformed
        // request (0.5 s by default) and waits up to the byte timeout inside a partial frame:
        // both block the loop, and a 0.5 s stall would trip the comm-loss watchdog.
        modbus_set_response_timeout(context, 0, 20_000)
        modbus_set_byte_timeout(context, 0, 100_000)

        guard let m = modbus_mapping_new_start_address(0, 0, 0, 0, 0, 65536, 0, 0) else {
            let message = Self.lastError()
            Self.release(ctx: context, listenSocket: listenSocket, isTCP: listenSocket >= 0)
            throw SimulatorError("cannot allocate the register mapping: \(message)")
        }
        mapping = m

        if let log {
            guard let f = fopen(log, "w") else {
                let message = String(cString: strerror(errno))
                modbus_mapping_free(m)
                Self.release(ctx: context, listenSocket: listenSocket, isTCP: listenSocket >= 0)
                throw SimulatorError("cannot open log file \(log): \(message)")
            }
            logFile = f
        }
        simulator.advance(to: started)
        copyRegistersToMapping()
    }

    deinit {
        for c in clients { close(c) }
        modbus_mapping_free(mapping)
        Self.release(ctx: ctx, listenSocket: listenSocket, isTCP: listenSocket >= 0)
        if let logFile { fclose(logFile) }
    }

    private static func release(ctx: OpaquePointer, listenSocket: Int32, isTCP: Bool) {
        if isTCP {
            // ctx's socket is whichever client was served last, closed separately.
            modbus_set_socket(ctx, -1)
            if listenSocket >= 0 { close(listenSocket) }
        } else {
            modbus_close(ctx)
        }
        modbus_free(ctx)
    }

    /// Serves until `shouldStop` returns true; checked at least every 10 ms.
    public func run(until shouldStop: () -> Bool) throws(SimulatorError) {
        let isTCP = listenSocket >= 0
        while !shouldStop() {
            var fds: [pollfd] = []
            if isTCP {
                fds.append(pollfd(fd: listenSocket, events: Int16(POLLIN), revents: 0))
                for c in clients { fds.append(pollfd(fd: c, events: Int16(POLLIN), revents: 0)) }
            } else {
                fds.append(pollfd(fd: modbus_get_socket(ctx), events: Int16(POLLIN), revents: 0))
            }
            let ready = poll(&fds, nfds_t(fds.count), 10)
            if ready < 0 {
                let e = errno
                if e == EINTR { continue }
                throw SimulatorError("poll failed: \(String(cString: strerror(e)))")
            }
            tick()
            guard ready > 0 else { continue }

            for pfd in fds where pfd.revents != 0 {
                if isTCP && pfd.fd == listenSocket {
                    var s = listenSocket
                    let client = modbus_tcp_accept(ctx, &s)
                    if client >= 0 { clients.append(client) }
                    continue
                }
                modbus_set_socket(ctx, pfd.fd)
                let n = buffer.withUnsafeMutableBufferPointer { modbus_receive(ctx, $0.baseAddress) }
                if n > 0 {
                    serve(length: Int(n))
                } else if n < 0 {
                    if isTCP {
                        close(pfd.fd)
                        clients.removeAll { $0 == pfd.fd }
                    } else if pfd.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                        // The line hung up (e.g. the PTY peer went away): do not spin.
                        usleep(10_000)
                    }
                }
            }
        }
    }

    // MARK: Requests

    private func be16(_ i: Int) -> UInt16 { UInt16(buffer[i]) << 8 | UInt16(buffer[i + 1]) }

    private func serve(length: Int) {
        let hl = Int(modbus_get_header_length(ctx))
        guard hl >= 1, length > hl + 2 else { return }
        if listenSocket >= 0 {
            let requestUnit = Int(buffer[hl - 1])
            guard requestUnit == unit || requestUnit == 0 || requestUnit == 255 else { return }
        }
        let now = Self.monotonicNow()
        simulator.advance(to: now)
        logStateIfNeeded(now)
        let before = simulator
        simulator.noteRequest(at: now)

        let fc = Int(buffer[hl])
        let address = be16(hl + 1)
        var writes: [(UInt16, UInt16)] = []
        switch fc {
        case 6 where length >= hl + 5:
            writes = [(address, be16(hl + 3))]
        case 16 where length >= hl + 6:
            let quantity = Int(be16(hl + 3))
            let bytes = Int(buffer[hl + 5])
            if (1...123).contains(quantity), bytes == 2 * quantity, Int(address) + quantity <= 65536, length >= hl + 6 + bytes {
                writes = (0..<quantity).map { (address &+ UInt16($0), be16(hl + 6 + 2 * $0)) }
            }
        default:
            break
        }

        copyRegistersToMapping()
        _ = buffer.withUnsafeBufferPointer { modbus_reply(ctx, $0.baseAddress, Int32(length), mapping) }

        // FC22 (mask write) and FC23 (write and read) are applied by libmodbus to the
        // mapping; carry the result over so the simulator sees them too.
        switch fc {
        case 22 where length >= hl + 7:
            writes = [(address, mapping.pointee.tab_registers[Int(address)])]
        case 23 where length >= hl + 10:
            let writeAddress = be16(hl + 5)
            let quantity = Int(be16(hl + 7))
            let bytes = Int(buffer[hl + 9])
            if (1...121).contains(quantity), bytes == 2 * quantity, Int(writeAddress) + quantity <= 65536, length >= hl + 10 + bytes {
                writes = (0..<quantity).map { (writeAddress &+ UInt16($0), be16(hl + 10 + 2 * $0)) }
            }
        default:
            break
        }
        for (a, v) in writes { simulator.write(address: a, value: v, at: now) }
        copyRegistersToMapping()

        logRequest(now, fc: fc, address: address, values: writes.map(\.1), before: before)
        logStateIfNeeded(now)
    }

    /// Advances the physics to now and logs the state if it moved.
    private func tick() {
        let now = Self.monotonicNow()
        simulator.advance(to: now)
        copyStatusToMapping()
        logStateIfNeeded(now)
    }

    private func copyRegistersToMapping() {
        let tab = mapping.pointee.tab_registers!
        for (a, v) in simulator.registers { tab[Int(a)] = v }
    }

    private func copyStatusToMapping() {
        let tab = mapping.pointee.tab_registers!
        for a in [profile.stateRegister, profile.outputFrequencyRegister] + (profile.faultCodeRegister.map { [$0] } ?? []) {
            tab[Int(a)] = simulator.read(address: a)
        }
    }

    // MARK: Log

    private func seconds(_ now: Instant) -> String {
        String(format: "%.3f", (now - started).inSeconds)
    }

    private func hz(_ v: Double) -> String { String(format: "%.2f", v) }

    private func writeLine(_ line: String) {
        guard let logFile else { return }
        fputs(line + "\n", logFile)
        fflush(logFile)
    }

    private func logRequest(_ now: Instant, fc: Int, address: UInt16, values: [UInt16], before: DriveSimulator) {
        guard logFile != nil else { return }
        let list = values.map(String.init).joined(separator: ",")
        writeLine("{\"t\":\(seconds(now)),\"kind\":\"request\",\"fc\":\(fc),\"address\":\(address),\"values\":[\(list)],"
            + "\"output_hz\":\(hz(before.outputHz)),\"direction\":\"\(before.direction.rawValue)\",\"running\":\(before.isRunning)}")
    }

    private func logStateIfNeeded(_ now: Instant) {
        guard logFile != nil else { return }
        let s = LoggedState(at: now, outputHz: simulator.outputHz, direction: simulator.direction,
                            running: simulator.isRunning, trip: simulator.tripCode ?? 0)
        if let last = lastState, abs(s.outputHz - last.outputHz) <= 0.05, s.direction == last.direction,
           s.running == last.running, s.trip == last.trip, now - last.at < .milliseconds(500) {
            return
        }
        lastState = s
        writeLine("{\"t\":\(seconds(now)),\"kind\":\"state\",\"output_hz\":\(hz(s.outputHz)),\"direction\":\"\(s.direction.rawValue)\","
            + "\"running\":\(s.running),\"trip\":\(s.trip)}")
    }

    // MARK: Helpers

    public static func monotonicNow() -> Instant {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Instant(nanoseconds: Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
    }

    private static func lastError() -> String {
        String(cString: modbus_strerror(cmodbus_errno()))
    }

    private static func boundPort(_ socket: Int32) -> Int? {
        var addr = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &len) }
        }
        guard rc == 0 else { return nil }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
