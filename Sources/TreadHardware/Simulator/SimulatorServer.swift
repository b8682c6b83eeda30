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

/// send(2) without SIGPIPE; outside the server class, whose `send` would shadow it.
private func socketSend(_ fd: Int32, _ p: UnsafeRawPointer?, _ n: Int, dontWait: Bool) -> Int {
    #if os(Linux)
    return send(fd, p, n, Int32(MSG_NOSIGNAL) | (dontWait ? Int32(MSG_DONTWAIT) : 0))
    #else
    return send(fd, p, n, dontWait ? MSG_DONTWAIT : 0)
    #endif
}

private func fileWrite(_ fd: Int32, _ p: UnsafeRawPointer?, _ n: Int) -> Int { write(fd, p, n) }

/// Faults a test (or a technician) injects into the simulated drive's Modbus link at run
/// time, through the control socket.
public struct SimulatorInjections: Hashable, Sendable {
    /// Requests are read and dropped: no answer, and they do not feed the comm-loss watchdog
    /// (a cut cable, a dead drive board).
    public var silent = false
    /// Every answer goes out this many milliseconds late (0 = on time). The request itself
    /// is served when it arrives, so a stop still stops the motor at once.
    public var lateMs = 0
    /// Every request is answered with this Modbus exception and not served; such requests
    /// do not feed the comm-loss watchdog (the drive accepted nothing).
    public var exception: Int? = nil
    /// RTU only: every answer goes out with its CRC corrupted (the request is served).
    public var corruptCRC = false
    /// Every request is answered with a garbled frame (`ReplyGarbler`, from this seed) and not
    /// served: noise on the line both ways, so the drive takes in nothing, its comm-loss
    /// watchdog is not fed, and the master gets replies it must refuse.
    public var garbleSeed: UInt64? = nil

    public init() {}
}

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
    public private(set) var simulator: DriveSimulator
    /// The bound endpoint (with the real port when port 0 was asked for).
    public private(set) var endpoint: String
    public private(set) var injections = SimulatorInjections()
    /// The control socket's path, if one was asked for.
    public let controlPath: String?
    /// Requests served (answered normally) since start.
    public private(set) var requestsServed = 0

    public static let controlHelp = """
        Control commands, one a line, each answered "ok" or "error: ...":
          silent on|off       stop answering Modbus (no comm-loss timer feed)
          late MS|off         answer MS ms late (requests served at once)
          exception CODE|off  answer everything with Modbus exception CODE
          crc on|off          RTU only: corrupt the CRC of every answer
          garble SEED|off     answer everything with a garbled frame (seeded), serve nothing
          trip CODE           drive fault CODE: trip, coast, await a reset
          overspeed FACTOR|off  belt runs FACTOR (0-10] x the reference; output Hz too
          freeze on|off       status word, output Hz frozen; the belt moves on
          clear               all injections off, overspeed, freeze (a trip stays)
          state               the simulator state as one JSON line
          help                this list on one line
        """

    private let ctx: OpaquePointer
    private let mapping: UnsafeMutablePointer<modbus_mapping_t>
    private var listenSocket: Int32 = -1
    private var clients: [Int32] = []
    private var logFile: UnsafeMutablePointer<FILE>?
    private let started: Instant
    private var lastState: LoggedState?
    private var buffer = [UInt8](repeating: 0, count: 260)
    /// libmodbus writes answers into [0]; they are read back from [1].
    private var capture: [Int32] = [-1, -1]
    private var pending: [PendingReply] = []
    /// Replies held back by a `late` injection and not yet sent.
    public var pendingReplies: Int { pending.count }
    /// Set while `garble` is on; its state moves on with every garbled reply.
    private var garbler: ReplyGarbler?
    private var controlListen: Int32 = -1
    private var controlClients: [ControlClient] = []

    private var isTCP: Bool { listenSocket >= 0 }

    private struct LoggedState {
        var at: Instant
        var outputHz: Double
        var direction: Direction
        var running: Bool
        var trip: Int
    }

    private struct PendingReply {
        var fd: Int32
        var bytes: [UInt8]
        var due: Instant
    }

    private final class ControlClient {
        let fd: Int32
        var input: [UInt8] = []
        var output: [UInt8] = []
        var closing = false
        init(fd: Int32) { self.fd = fd }
    }

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

    private static func listenUnix(_ path: String) throws(SimulatorError) -> Int32 {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else {
            throw SimulatorError("control socket path \(path) must be 1...\(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        // A socket left behind by an earlier run is replaced; any other file is not.
        var st = stat()
        if lstat(path, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFSOCK else { throw SimulatorError("control socket path \(path) exists and is not a socket") }
            unlink(path)
        }
        #if canImport(Glibc)
        let streamType = Int32(SOCK_STREAM.rawValue)
        #else
        let streamType = SOCK_STREAM
        #endif
        let fd = socket(AF_UNIX, streamType, 0)
        guard fd >= 0 else { throw SimulatorError("cannot create control socket: \(String(cString: strerror(errno)))") }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0, listen(fd, 8) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw SimulatorError("cannot listen on control socket \(path): \(message)")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        return fd
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

    // MARK: Requests

    private func be16(_ i: Int) -> UInt16 { UInt16(buffer[i]) << 8 | UInt16(buffer[i + 1]) }

    private func serve(length: Int, fd: Int32) {
        let hl = Int(modbus_get_header_length(ctx))
        guard hl >= 1, length > hl + 2 else { return }
        if isTCP {
            let requestUnit = Int(buffer[hl - 1])
            guard requestUnit == unit || requestUnit == 0 || requestUnit == 255 else { return }
        }
        let now = Self.monotonicNow()
        simulator.advance(to: now)
        logStateIfNeeded(now)
        let fc = Int(buffer[hl])
        let address = be16(hl + 1)

        if injections.silent {
            writeLine("{\"t\":\(seconds(now)),\"kind\":\"dropped\",\"fc\":\(fc),\"address\":\(address),\"reason\":\"silent\"}")
            return
        }
        if garbler != nil {
            // What the drive would have said, taken apart; the drive itself heard nothing.
            copyRegistersToMapping()
            let correct = captureReply { modbus_reply(ctx, $0, Int32(length), mapping) }
            copyRegistersToMapping()
            let garbled = garbler!.garble(correct, headerLength: hl, rtu: !isTCP)
            writeLine("{\"t\":\(seconds(now)),\"kind\":\"dropped\",\"fc\":\(fc),\"address\":\(address),\"reason\":\"garbled\"}")
            send(garbled, to: fd, at: now)
            return
        }
        let before = simulator
        if let code = injections.exception ?? simulator.refusal(function: fc) {
            // A refused FC06 is still a well-formed request the drive heard; an injected
            // exception stands for a drive that takes nothing in.
            if injections.exception == nil { simulator.noteRequest(at: now) }
            let reply = captureReply { modbus_reply_exception(ctx, $0, UInt32(code)) }
            logRefused(now, fc: fc, address: address, exception: code, before: before)
            logStateIfNeeded(now)
            send(reply, to: fd, at: now)
            return
        }
        simulator.noteRequest(at: now)
        requestsServed += 1

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
        let reply = captureReply { modbus_reply(ctx, $0, Int32(length), mapping) }

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
        send(reply, to: fd, at: now)
    }

    /// Runs a libmodbus reply with the context's socket pointed at the capture pair, and
    /// returns the bytes it would have sent.
    private func captureReply(_ body: (UnsafePointer<UInt8>) -> Int32) -> [UInt8] {
        let real = modbus_get_socket(ctx)
        modbus_set_socket(ctx, capture[0])
        _ = buffer.withUnsafeBufferPointer { body($0.baseAddress!) }
        modbus_set_socket(ctx, real)
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 512)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(capture[1], $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out += chunk[0..<n]
        }
        return out
    }

    /// Sends an answer now, or queues it when answers are late (or earlier ones still wait).
    private func send(_ reply: [UInt8], to fd: Int32, at now: Instant) {
        guard !reply.isEmpty else { return }
        var bytes = reply
        if injections.corruptCRC, !isTCP, bytes.count >= 2 { bytes[bytes.count - 1] ^= 0xFF }
        if injections.lateMs > 0 || pending.contains(where: { $0.fd == fd }) {
            pending.append(PendingReply(fd: fd, bytes: bytes, due: now + .milliseconds(injections.lateMs)))
        } else {
            transmit(bytes, to: fd)
        }
    }

    private func sendDueReplies() {
        guard !pending.isEmpty else { return }
        if injections.silent {
            pending.removeAll()
            return
        }
        let now = Self.monotonicNow()
        var blocked: Set<Int32> = []
        var keep: [PendingReply] = []
        for p in pending {
            if blocked.contains(p.fd) || p.due > now {
                blocked.insert(p.fd)
                keep.append(p)
            } else {
                transmit(p.bytes, to: p.fd)
            }
        }
        pending = keep
    }

    private func transmit(_ bytes: [UInt8], to fd: Int32) {
        // Errors mean the client went away; its socket is closed on the next receive.
        _ = bytes.withUnsafeBytes { raw in
            isTCP ? socketSend(fd, raw.baseAddress, raw.count, dontWait: false) : fileWrite(fd, raw.baseAddress, raw.count)
        }
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
        for a in simulator.computedRegisters { tab[Int(a)] = simulator.read(address: a) }
    }

    // MARK: Control socket

    private func acceptControlClient() {
        let fd = accept(controlListen, nil, nil)
        guard fd >= 0 else { return }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        controlClients.append(ControlClient(fd: fd))
    }

    private func serviceControlClient(_ c: ControlClient, revents: Int16) {
        if revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
            var chunk = [UInt8](repeating: 0, count: 1024)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(c.fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    c.input += chunk[0..<n]
                    continue
                }
                if n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { c.closing = true }
                break
            }
            while let nl = c.input.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: c.input[..<nl], as: UTF8.self)
                c.input.removeSubrange(...nl)
                c.output += Array((control(line) + "\n").utf8)
            }
            if c.closing, !c.input.isEmpty {
                c.output += Array((control(String(decoding: c.input, as: UTF8.self)) + "\n").utf8)
                c.input.removeAll()
            }
            if c.input.count > 4096 {
                c.output += Array("error: command line too long\n".utf8)
                c.input.removeAll()
            }
        }
        while !c.output.isEmpty {
            let n = c.output.withUnsafeBytes { socketSend(c.fd, $0.baseAddress, $0.count, dontWait: true) }
            if n > 0 {
                c.output.removeFirst(n)
            } else {
                if n < 0, errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR { c.closing = true; c.output.removeAll() }
                break
            }
        }
        if c.closing, c.output.isEmpty || revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
            close(c.fd)
            controlClients.removeAll { $0 === c }
        }
    }

    /// Runs one control command (see `controlHelp`) and returns its one-line answer.
    public func control(_ line: String) -> String {
        let words = line.split(whereSeparator: \.isWhitespace).map { $0.lowercased() }
        guard let verb = words.first else { return "error: empty command (try help)" }
        let args = Array(words.dropFirst())
        let now = Self.monotonicNow()
        func onOff() -> Bool? { args.count == 1 ? ["on": true, "off": false][args[0]] : nil }
        func number(_ range: ClosedRange<Int>) -> Int? {
            guard args.count == 1, let v = Int(args[0]), range.contains(v) else { return nil }
            return v
        }
        let exceptionMax = Int(cmodbus_exception_max()) - 1
        switch verb {
        case "silent":
            guard let on = onOff() else { return "error: usage: silent on|off" }
            injections.silent = on
        case "late":
            if args == ["off"] { injections.lateMs = 0 } else {
                guard let ms = number(0...60_000) else { return "error: usage: late MS|off (MS in 0...60000)" }
                injections.lateMs = ms
            }
        case "exception":
            if args == ["off"] { injections.exception = nil } else {
                guard let code = number(1...exceptionMax) else { return "error: usage: exception CODE|off (CODE in 1...\(exceptionMax))" }
                injections.exception = code
            }
        case "crc":
            guard let on = onOff() else { return "error: usage: crc on|off" }
            if on, isTCP { return "error: crc corruption needs RTU (Modbus TCP frames carry no CRC)" }
            injections.corruptCRC = on
        case "garble":
            if args == ["off"] {
                injections.garbleSeed = nil
                garbler = nil
            } else {
                guard args.count == 1, let seed = UInt64(args[0]) else { return "error: usage: garble SEED|off (SEED a whole number)" }
                injections.garbleSeed = seed
                garbler = ReplyGarbler(seed: seed)
            }
        case "trip":
            guard let code = number(1...65535) else { return "error: usage: trip CODE (CODE in 1...65535)" }
            simulator.trip(code: code, at: now)
            copyRegistersToMapping()
        case "overspeed":
            if args == ["off"] { simulator.setOverspeed(1, at: now) } else {
                guard args.count == 1, let f = Double(args[0]), f.isFinite, f > 0, f <= 10 else {
                    return "error: usage: overspeed FACTOR|off (FACTOR above 0, at most 10)"
                }
                simulator.setOverspeed(f, at: now)
            }
            copyRegistersToMapping()
        case "freeze":
            guard let on = onOff() else { return "error: usage: freeze on|off" }
            simulator.freeze(on, at: now)
            copyRegistersToMapping()
        case "clear":
            guard args.isEmpty else { return "error: usage: clear" }
            injections = SimulatorInjections()
            garbler = nil
            simulator.setOverspeed(1, at: now)
            simulator.freeze(false, at: now)
            copyRegistersToMapping()
        case "state":
            guard args.isEmpty else { return "error: usage: state" }
            simulator.advance(to: now)
            // Log what the answer reports, so the log never lags a state a client has seen.
            logStateIfNeeded(now)
            return stateJSON(now)
        case "help":
            return "ok: " + Self.controlHelp.split(separator: "\n").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "; ")
        default:
            return "error: unknown command \"\(verb)\" (try help)"
        }
        writeLine("{\"t\":\(seconds(now)),\"kind\":\"inject\",\"command\":\"\(([verb] + args).joined(separator: " "))\"}")
        logStateIfNeeded(now)
        return "ok"
    }

    /// The simulator state as one JSON object (the `state` control command).
    public func stateJSON(_ now: Instant) -> String {
        let s = simulator
        // The watchdog as the drive works with it (0 = off): for a packed field, on only while
        // the field holds the profile's value.
        let commLossMs = s.commLossTimeout.map { Int(($0.inSeconds * 1000).rounded()) } ?? 0
        return "{\"t\":\(seconds(now)),\"output_hz\":\(hz(s.outputHz)),\"direction\":\"\(s.direction.rawValue)\",\"running\":\(s.isRunning),"
            + "\"run_commanded\":\(s.runCommanded),\"reference_hz\":\(hz(s.referenceHz)),\"trip\":\(s.tripCode ?? 0),"
            + "\"comm_loss_ms\":\(commLossMs),\"comm_loss_warning\":\(s.commLossWarning),\"enabled\":\(s.isEnabled),\"sequence_step\":\(s.sequenceState),"
            + "\"requests\":\(requestsServed),\"silent\":\(injections.silent),\"late_ms\":\(injections.lateMs),"
            + "\"exception\":\(injections.exception ?? 0),\"crc\":\(injections.corruptCRC),\"garble\":\(injections.garbleSeed.map(String.init) ?? "null"),"
            + "\"overspeed\":\(s.overspeedFactor),\"frozen\":\(s.isFrozen)}"
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

    private func logRefused(_ now: Instant, fc: Int, address: UInt16, exception: Int, before: DriveSimulator) {
        guard logFile != nil else { return }
        writeLine("{\"t\":\(seconds(now)),\"kind\":\"refused\",\"fc\":\(fc),\"address\":\(address),\"exception\":\(exception),"
            + "\"output_hz\":\(hz(before.outputHz)),\"direction\":\"\(before.direction.rawValue)\",\"running\":\(before.isRunning)}")
    }

    private func logStateIfNeeded(_ now: Instant) {
        guard logFile != nil else { return }
        let s = LoggedState(at: now, outputHz: simulator.outputHz, direction: simulator.direction,
                            running: simulator.isRunning, trip: simulator.tripCode ?? 0)
        // Reaching standstill is always logged, however small the last step to it.
        if let last = lastState, abs(s.outputHz - last.outputHz) <= 0.05, (hz(s.outputHz) == hz(0)) == (hz(last.outputHz) == hz(0)),
           s.direction == last.direction,
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
