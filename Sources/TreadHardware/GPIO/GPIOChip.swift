import CGPIOD
import Glibc

/// Errors from libgpiod, typed from errno so a missing chip can be told from a permission
/// problem when a technician wires a machine.
public enum GPIOError: Error, Hashable, Sendable, CustomStringConvertible {
    case noSuchChip(String)
    case permissionDenied(String)
    case notAChip(String)
    case failed(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .noSuchChip(let p): return "GPIO chip \(p) does not exist"
        case .permissionDenied(let p): return "no permission to open GPIO chip \(p) (is the user in the gpio group?)"
        case .notAChip(let p): return "\(p) is not a GPIO character device"
        case .failed(let p, let e): return "GPIO chip \(p): \(String(cString: strerror(e)))"
        }
    }
}

/// An open GPIO chip (libgpiod v2). Issue 5 builds line requests on top of this.
public final class GPIOChip {
    private let chip: OpaquePointer
    public let path: String

    /// The libgpiod library version, e.g. "2.1.3".
    public static var libraryVersion: String { String(cString: gpiod_api_version()) }

    public init(path: String) throws(GPIOError) {
        guard let c = gpiod_chip_open(path) else {
            let e = cgpiod_errno()
            switch e {
            case ENOENT: throw .noSuchChip(path)
            case EACCES, EPERM: throw .permissionDenied(path)
            case ENODEV, ENOTTY, EINVAL: throw .notAChip(path)
            default: throw .failed(path: path, errno: e)
            }
        }
        chip = c
        self.path = path
    }

    deinit { gpiod_chip_close(chip) }

    public var label: String {
        guard let info = gpiod_chip_get_info(chip) else { return "" }
        defer { gpiod_chip_info_free(info) }
        return String(cString: gpiod_chip_info_get_label(info))
    }
}
