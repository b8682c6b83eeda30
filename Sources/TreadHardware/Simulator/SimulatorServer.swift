import CModbus
import Foundation
import TreadCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Serves a `DriveSimulator` as a real Modbus server through libmodbus, on the calling
/// thread: Modbus TCP (any number of clients) or Modbus RTU (one serial line), plus an
/// optional control socket for fault injection. Single-threaded: one poll() covers the
/// Modbus sockets and the control socket, and nothing waits on a control client.
///
/// Every request is served against the simulator's registers at that moment (advanced to
/// now): they are copied into a libmodbus mapping of all 65536 holding registers,
/// `modbus_reply` answers, and writes (FC06, FC16, and FC22/FC23 as libmodbus applies them)
/// are then applied to the simulator with their side effects. The physics also advance at
/// least every 10 ms without traffic. On TCP, requests for another unit id than `unit` (0
/// and 255 are accepted too) get no answer, as an RTU drive would behave. A profile with
/// `write_function = 16` refuses FC06 with exception 01 (illegal function), as Yaskawa
/// V1000/GA500 drives do. Answers are built by libmodbus into a socket pair and then sent, so
/// they can be delayed or corrupted (`SimulatorInjections`).
///
/// Control socket (`control:`, a Unix stream socket path): one command per line, one answer
/// line each ("ok", "error: ...", or for `state` a JSON object). See `controlHelp`.
///
/// Optional log: JSON Lines, flushed per line, `t` in seconds since the server started.
///     {"t":1.234,"kind":"request","fc":6,"address":8192,"values":[18],"output_hz":0.00,"direction":"forward","running":false}
///     {"t":1.250,"kind":"state","output_hz":12.34,"direction":"reverse","running":true,"trip":0}
///     {"t":1.300,"kind":"refused","fc":6,"address":8192,"exception":1,"output_hz":0.00,"direction":"forward","running":false}
///     {"t":1.400,"kind":"dropped","fc":3,"address":8448,"reason":"silent"}
///     {"t":1.500,"kind":"inject","command":"late 400"}
/// Request lines carry the state before the request was applied; `values` holds the
/// written values (empty for reads). Requests answered with an exception (refused FC06, an
/// injected exception) are `refused` lines and change nothing; requests dropped while
/// `silent` are `dropped` lines, and so are requests answered with a garbled frame
/// (`"reason":"garbled"`). State lines appear when the output moves more than
/// 0.05 Hz, or direction, running or trip change, and at least every 0.5 s. `running` is
/// the status word's running bit: run commanded or the output still above 0. Every
/// accepted control command that changes something is an `inject` line.
public final class SimulatorServer {
    public let profile: DriveProfile
    public let transport: SimulatorTransport
    public let unit: Int
    public internal(set) var simulator: DriveSimulator
    /// The bound endpoint (with the real port when port 0 was asked for).
    public private(set) var endpoint: String
    public internal(set) var injections = SimulatorInjections()
    /// The control socket's path, if one was asked for.
    public let controlPath: String?
    /// Requests served (answered normally) since start.
    public internal(set) var requestsServed = 0

    let ctx: OpaquePointer
    let mapping: UnsafeMutablePointer<modbus_mapping_t>
    private var listenSocket: Int32 = -1
    private var clients: [Int32] = []
    var logFile: UnsafeMutablePointer<FILE>?
    let started: Instant
    var lastState: LoggedState?
    var buffer = [UInt8](repeating: 0, count: 260)
    /// libmodbus writes answers into [0]; they are read back from [1].
    var capture: [Int32] = [-1, -1]
    var pending: [PendingReply] = []
    /// Replies held back by a `late` injection and not yet sent.
    public var pendingReplies: Int { pending.count }
    /// Set while `garble` is on; its state moves on with every garbled reply.
    var garbler: ReplyGarbler?
    var controlListen: Int32 = -1
    var controlClients: [ControlClient] = []

    var isTCP: Bool { listenSocket >= 0 }

    public init(profile: DriveProfile, transport: SimulatorTransport, unit: Int = 1, log: String? = nil, control: String? = nil) throws(SimulatorError) {
        self.profile = profile
        self.transport = transport
        self.unit = unit
        self.simulator = DriveSimulator(profile: profile)
        self.started = Self.monotonicNow()
        self.endpoint = transport.description
        self.controlPath = control

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

        func fail(_ message: String) -> SimulatorError {
            if let logFile { fclose(logFile) }
            for fd in capture where fd >= 0 { close(fd) }
            if controlListen >= 0 { close(controlListen) }
            modbus_mapping_free(m)
            Self.release(ctx: context, listenSocket: listenSocket, isTCP: listenSocket >= 0)
            return SimulatorError(message)
        }

        if let log {
            guard let f = fopen(log, "w") else { throw fail("cannot open log file \(log): \(String(cString: strerror(errno)))") }
            logFile = f
        }
        var pair: [Int32] = [-1, -1]
        #if canImport(Glibc)
        let streamType = Int32(SOCK_STREAM.rawValue)
        #else
        let streamType = SOCK_STREAM
        #endif
        guard socketpair(AF_UNIX, streamType, 0, &pair) == 0 else {
            throw fail("cannot create the reply socket pair: \(String(cString: strerror(errno)))")
        }
        capture = pair
        for fd in pair { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        if let control {
            do throws(SimulatorError) { controlListen = try Self.listenUnix(control) } catch { throw fail(error.message) }
        }
        simulator.advance(to: started)
        copyRegistersToMapping()
    }

    deinit {
        for c in clients { close(c) }
        for c in controlClients { close(c.fd) }
        if controlListen >= 0 {
            close(controlListen)
            if let controlPath { unlink(controlPath) }
        }
        for fd in capture where fd >= 0 { close(fd) }
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

    private enum Source { case modbusListen, modbus, controlListen, control(ControlClient) }

    /// Serves until `shouldStop` returns true; checked at least every 10 ms.
    public func run(until shouldStop: () -> Bool) throws(SimulatorError) {
        while !shouldStop() {
            var fds: [pollfd] = []
            var sources: [Source] = []
            if isTCP {
                fds.append(pollfd(fd: listenSocket, events: Int16(POLLIN), revents: 0)); sources.append(.modbusListen)
                for c in clients { fds.append(pollfd(fd: c, events: Int16(POLLIN), revents: 0)); sources.append(.modbus) }
            } else {
                fds.append(pollfd(fd: modbus_get_socket(ctx), events: Int16(POLLIN), revents: 0)); sources.append(.modbus)
            }
            if controlListen >= 0 {
                fds.append(pollfd(fd: controlListen, events: Int16(POLLIN), revents: 0)); sources.append(.controlListen)
            }
            for c in controlClients {
                let events = Int16(POLLIN) | (c.output.isEmpty ? 0 : Int16(POLLOUT))
                fds.append(pollfd(fd: c.fd, events: events, revents: 0)); sources.append(.control(c))
            }
            var timeoutMs: Int32 = 10
            if let due = pending.map(\.due).min() {
                let ms = Int32(clamping: Int(((due - Self.monotonicNow()).inSeconds * 1000).rounded(.up)))
                timeoutMs = max(0, min(timeoutMs, ms))
            }
            let ready = poll(&fds, nfds_t(fds.count), timeoutMs)
            if ready < 0 {
                let e = errno
                if e == EINTR { continue }
                throw SimulatorError("poll failed: \(String(cString: strerror(e)))")
            }
            tick()
            sendDueReplies()
            guard ready > 0 else { continue }

            for (pfd, source) in zip(fds, sources) where pfd.revents != 0 {
                switch source {
                case .modbusListen:
                    var s = listenSocket
                    let client = modbus_tcp_accept(ctx, &s)
                    if client >= 0 { clients.append(client) }
                case .controlListen:
                    acceptControlClient()
                case .control(let c):
                    serviceControlClient(c, revents: pfd.revents)
                case .modbus:
                    guard !isTCP || clients.contains(pfd.fd) else { continue }
                    modbus_set_socket(ctx, pfd.fd)
                    let n = buffer.withUnsafeMutableBufferPointer { modbus_receive(ctx, $0.baseAddress) }
                    if n > 0 {
                        serve(length: Int(n), fd: pfd.fd)
                    } else if n < 0 {
                        if isTCP {
                            close(pfd.fd)
                            clients.removeAll { $0 == pfd.fd }
                            pending.removeAll { $0.fd == pfd.fd }
                        } else if pfd.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                            // The line hung up (e.g. the PTY peer went away): do not spin.
                            usleep(10_000)
                        }
                    }
                }
            }
            sendDueReplies()
        }
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
