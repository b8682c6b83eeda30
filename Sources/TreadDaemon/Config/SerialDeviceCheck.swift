import Glibc
import TreadHardware

/// Start-up check of the RTU serial device: a missing adapter or a missing group membership
/// is a clear start-up error, not a drive that silently never comes online.
enum SerialDeviceCheck {
    static func check(_ transport: ModbusTransport) throws(DaemonError) {
        guard case .rtu(let serial) = transport else { return }
        let path = serial.device
        var st = stat()
        guard stat(path, &st) == 0 else { throw .serialDeviceMissing(path) }
        if access(path, R_OK | W_OK) != 0 { throw .serialDeviceDenied(path) }
    }
}
