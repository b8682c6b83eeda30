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
