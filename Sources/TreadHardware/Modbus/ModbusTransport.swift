/// Where the drive is and how to reach it.
public enum ModbusTransport: Hashable, Sendable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case rtu(SerialSettings)

    public var description: String {
        switch self {
        case .tcp(let h, let p): return "tcp \(h):\(p)"
        case .rtu(let s): return "rtu \(s.device) \(s.baud) \(s.parity)\(s.dataBits)\(s.stopBits)"
        }
    }
}

public struct SerialSettings: Hashable, Sendable {
    public var device: String
    public var baud: Int
    /// "N", "E" or "O".
    public var parity: Character
    public var dataBits: Int
    public var stopBits: Int
    /// Use the kernel's RS-485 mode (TIOCSRS485); most USB adapters switch direction themselves.
    public var rs485: Bool
    /// RTS toggling for adapters that need the master to drive the transmitter enable.
    public var rts: RTSMode

    public enum RTSMode: String, Hashable, Sendable { case none, up, down }

    public init(device: String, baud: Int = 19200, parity: Character = "N", dataBits: Int = 8, stopBits: Int = 1, rs485: Bool = false,
                rts: RTSMode = .none) {
        self.rts = rts
        self.device = device
        self.baud = baud
        self.parity = parity
        self.dataBits = dataBits
        self.stopBits = stopBits
        self.rs485 = rs485
    }
}

public struct ModbusSettings: Hashable, Sendable {
    public var transport: ModbusTransport
    public var unit: Int
    public var responseTimeout: Duration
    public var byteTimeout: Duration

    public init(transport: ModbusTransport, unit: Int = 1, responseTimeout: Duration = .milliseconds(200), byteTimeout: Duration = .milliseconds(50)) {
        self.transport = transport
        self.unit = unit
        self.responseTimeout = responseTimeout
        self.byteTimeout = byteTimeout
    }
}
