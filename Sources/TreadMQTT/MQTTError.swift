import CMosquitto
import Glibc

/// Why the broker could not be reached or refused us, in words a technician can act on.
public enum MQTTError: Error, Sendable, CustomStringConvertible, Equatable {
    /// libmosquitto refused a call (bad argument, no memory, no connection, TLS set-up).
    case library(call: String, code: Int32, message: String)
    /// The TCP or TLS connection could not be made.
    case unreachable(host: String, port: Int, message: String)
    /// The broker answered CONNACK with a refusal (bad credentials, not authorised, ...).
    case refused(reason: String)

    public var description: String {
        switch self {
        case .library(let call, let code, let message): "\(call) failed (\(code)): \(message)"
        case .unreachable(let host, let port, let message): "broker \(host):\(port) unreachable: \(message)"
        case .refused(let reason): "broker refused the connection: \(reason)"
        }
    }

    static func check(_ rc: Int32, _ call: String) throws(MQTTError) {
        guard rc != Int32(MOSQ_ERR_SUCCESS.rawValue) else { return }
        throw .library(call: call, code: rc, message: MQTTError.text(rc))
    }

    /// libmosquitto's words for its error code; for `MOSQ_ERR_ERRNO`, the system's.
    static func text(_ rc: Int32) -> String {
        if rc == Int32(MOSQ_ERR_ERRNO.rawValue) {
            return String(cString: strerror(errno))
        }
        return String(cString: mosquitto_strerror(rc))
    }
}
