import CModbus
import Glibc

/// One libmodbus context. Blocking: it belongs to exactly one dedicated thread (the drive
/// link's) and is never touched from Swift's cooperative pool.
final class ModbusConnection {
    private let ctx: OpaquePointer
    let settings: ModbusSettings
    private(set) var isConnected = false
    /// The last transaction failed, so its reply may still be on its way: drop whatever has
    /// arrived before the next request, or it would be read as that request's reply.
    private var unsettled = false

    init(_ settings: ModbusSettings) throws(ModbusError) {
        self.settings = settings
        let made: OpaquePointer?
        switch settings.transport {
        case .tcp(let host, let port):
            made = modbus_new_tcp(host, Int32(port))
        case .rtu(let s):
            made = modbus_new_rtu(s.device, Int32(s.baud), CChar(UInt8(ascii: s.parity.unicodeScalars.first ?? "N")), Int32(s.dataBits), Int32(s.stopBits))
        }
        guard let made else { throw .invalidSettings("\(settings.transport): \(String(cString: modbus_strerror(cmodbus_errno())))") }
        ctx = made
        guard modbus_set_slave(ctx, Int32(settings.unit)) == 0 else {
            modbus_free(ctx)
            throw .invalidSettings("unit id \(settings.unit) is not valid")
        }
        let r = settings.responseTimeout.components
        modbus_set_response_timeout(ctx, UInt32(r.seconds), UInt32(r.attoseconds / 1_000_000_000_000))
        let b = settings.byteTimeout.components
        modbus_set_byte_timeout(ctx, UInt32(b.seconds), UInt32(b.attoseconds / 1_000_000_000_000))
    }

    deinit {
        if isConnected { modbus_close(ctx) }
        modbus_free(ctx)
    }

    func connect() throws(ModbusError) {
        guard !isConnected else { return }
        cmodbus_clear_errno()
        guard modbus_connect(ctx) == 0 else { throw ModbusError.fromErrno(connecting: true) }
        if case .rtu(let s) = settings.transport {
            var ok = true
            if s.rs485 { ok = modbus_rtu_set_serial_mode(ctx, cmodbus_rtu_rs485()) == 0 }
            switch s.rts {
            case .none: break
            case .up: ok = ok && modbus_rtu_set_rts(ctx, cmodbus_rtu_rts_up()) == 0
            case .down: ok = ok && modbus_rtu_set_rts(ctx, cmodbus_rtu_rts_down()) == 0
            }
            if !ok {
                let e = ModbusError.fromErrno(connecting: true)
                modbus_close(ctx)
                throw .invalidSettings("\(s.device): RS-485/RTS mode not supported by this port (\(e))")
            }
        }
        isConnected = true
    }

    func close() {
        guard isConnected else { return }
        modbus_close(ctx)
        isConnected = false
    }

    func readRegisters(_ address: UInt16, count: Int) throws(ModbusError) -> [UInt16] {
        var out = [UInt16](repeating: 0, count: count)
        try readRegisters(address, into: &out)
        return out
    }

    /// Reads one register, allocating nothing: the status poll of a drive that is read one
    /// register at a time makes several of these a poll.
    func readRegister(_ address: UInt16) throws(ModbusError) -> UInt16 {
        var value: UInt16 = 0
        try withUnsafeMutablePointer(to: &value) { (p) throws(ModbusError) in try read(address, count: 1, into: p) }
        return value
    }

    /// Reads `buffer.count` registers into an existing buffer, allocating nothing.
    func readRegisters(_ address: UInt16, into buffer: inout [UInt16]) throws(ModbusError) {
        let count = buffer.count
        try buffer.withUnsafeMutableBufferPointer { (b) throws(ModbusError) in try read(address, count: count, into: b.baseAddress) }
    }

    /// The one FC03 call the three reads above make.
    private func read(_ address: UInt16, count: Int, into registers: UnsafeMutablePointer<UInt16>?) throws(ModbusError) {
        settle()
        cmodbus_clear_errno()
        guard modbus_read_registers(ctx, Int32(address), Int32(count), registers) == count else { throw failure() }
    }

    func writeRegister(_ address: UInt16, _ value: UInt16, function: DriveProfile.WriteFunction) throws(ModbusError) {
        settle()
        cmodbus_clear_errno()
        let ok: Bool
        switch function {
        case .single:
            ok = modbus_write_register(ctx, Int32(address), value) == 1
        case .multiple:
            var v = value
            ok = modbus_write_registers(ctx, Int32(address), 1, &v) == 1
        }
        guard ok else { throw failure() }
    }

    /// Classifies the failure; after a lost link libmodbus needs the socket closed and reopened.
    private func failure() -> ModbusError {
        let e = ModbusError.fromErrno()
        if e.needsReconnect {
            close()
            return e
        }
        switch e {
        case .timeout, .invalidResponse, .badCRC:
            // A reply that comes after the timeout must never be taken for the next request's.
            // Over TCP a fresh socket guarantees it (a late reply dies with the old one; the
            // drive keeps its parameters, so nothing is commissioned again). On a serial line
            // there is no socket to drop: flush now and again before the next request.
            if case .tcp = settings.transport {
                modbus_close(ctx)
                if modbus_connect(ctx) != 0 { isConnected = false }
            } else {
                modbus_flush(ctx)
                unsettled = true
            }
        case .exception, .connectionLost, .connectFailed, .invalidSettings:
            break
        }
        return e
    }

    private func settle() {
        guard unsettled else { return }
        unsettled = false
        modbus_flush(ctx)
    }
}
