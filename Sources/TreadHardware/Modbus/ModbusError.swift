import CModbus
import Glibc

/// A failed Modbus transaction, classified from libmodbus's errno so callers can tell a drive
/// that answered "no" (an exception) from a bus that is broken (timeout, CRC, lost link).
public enum ModbusError: Error, Hashable, Sendable, CustomStringConvertible {
    case timeout
    case badCRC
    /// The drive answered with a Modbus exception code.
    case exception(Int)
    /// A reply arrived but was not the reply to our request.
    case invalidResponse(String)
    /// The transport went away: socket reset, serial device gone (EIO), PTY closed.
    case connectionLost(String)
    case connectFailed(String)
    case invalidSettings(String)

    /// Reads errno right after a failed libmodbus call.
    static func fromErrno(connecting: Bool = false) -> ModbusError {
        let e = cmodbus_errno()
        let base = cmodbus_enobase()
        let message = String(cString: modbus_strerror(e))
        // Exceptions are base+1 ... base+11; base+12 is libmodbus's own bad-CRC code.
        if e > base, e < base + cmodbus_exception_max() { return .exception(Int(e - base)) }
        switch e {
        case ETIMEDOUT: return .timeout
        case cmodbus_embbadcrc(): return .badCRC
        case cmodbus_embbaddata(), cmodbus_embmdata(), cmodbus_embbadexc(), cmodbus_embbadslave(), cmodbus_embunkexc():
            return .invalidResponse(message)
        case ECONNRESET, EPIPE, EIO, ENOTCONN, EBADF, ENXIO, ENODEV, ENOENT:
            return connecting ? .connectFailed(message) : .connectionLost(message)
        default:
            return connecting ? .connectFailed(message) : .connectionLost(message)
        }
    }

    /// Whether the link must be closed and reopened (as opposed to retrying the transaction).
    public var needsReconnect: Bool {
        switch self {
        case .connectionLost, .connectFailed, .invalidSettings: return true
        case .timeout, .badCRC, .exception, .invalidResponse: return false
        }
    }

    public static func exceptionName(_ code: Int) -> String {
        switch code {
        case 1: return "illegal function"
        case 2: return "illegal data address"
        case 3: return "illegal data value"
        case 4: return "server device failure"
        case 5: return "acknowledge"
        case 6: return "server device busy"
        case 8: return "memory parity error"
        case 10: return "gateway path unavailable"
        case 11: return "gateway target device failed to respond"
        default: return "exception \(code)"
        }
    }

    public var description: String {
        switch self {
        case .timeout: return "no reply (timeout)"
        case .badCRC: return "reply with a bad CRC"
        case .exception(let c): return "Modbus exception \(c) (\(Self.exceptionName(c)))"
        case .invalidResponse(let m): return "invalid reply: \(m)"
        case .connectionLost(let m): return "connection lost: \(m)"
        case .connectFailed(let m): return "cannot connect: \(m)"
        case .invalidSettings(let m): return "invalid settings: \(m)"
        }
    }
}
