import CGPIOD
import Glibc

/// Errors from libgpiod, typed from errno so a missing chip can be told from a permission
/// problem when a technician wires a machine. Line errors name the input they were for.
public enum GPIOError: Error, Hashable, Sendable, CustomStringConvertible {
    case noSuchChip(String)
    case permissionDenied(String)
    case notAChip(String)
    case failed(path: String, errno: Int32)
    /// No chip (or not the named one) has a line of this name.
    case noSuchLine(role: String, line: String, chip: String?)
    case offsetOutOfRange(role: String, offset: Int, chip: String, lines: Int)
    /// The kernel refused the line request: busy (another consumer holds it) or not supported.
    case requestFailed(roles: [String], chip: String, errno: Int32)
    case io(role: String, errno: Int32)

    public var description: String {
        switch self {
        case .noSuchChip(let p): return "GPIO chip \(p) does not exist"
        case .permissionDenied(let p): return "no permission to open GPIO chip \(p) (is the user in the gpio group?)"
        case .notAChip(let p): return "\(p) is not a GPIO character device"
        case .failed(let p, let e): return "GPIO chip \(p): \(String(cString: strerror(e)))"
        case .noSuchLine(let role, let line, let chip):
            return "\(role): no GPIO line named '\(line)'" + (chip.map { " on chip \($0)" } ?? " on any chip") + " (gpioinfo lists them)"
        case .offsetOutOfRange(let role, let o, let chip, let n):
            return "\(role): line offset \(o) does not exist on \(chip), which has \(n) lines"
        case .requestFailed(let roles, let chip, let e):
            let why = e == EBUSY ? "a line is in use by another program (gpioinfo shows the consumer)" : String(cString: strerror(e))
            return "cannot request \(roles.joined(separator: ", ")) on \(chip): \(why)"
        case .io(let role, let e): return "\(role): \(String(cString: strerror(e)))"
        }
    }

    static func opening(_ path: String, errno e: Int32) -> GPIOError {
        switch e {
        case ENOENT: return .noSuchChip(path)
        case EACCES, EPERM: return .permissionDenied(path)
        case ENODEV, ENOTTY, EINVAL: return .notAChip(path)
        default: return .failed(path: path, errno: e)
        }
    }
}

/// An open GPIO chip (libgpiod v2).
public final class GPIOChip {
    let chip: OpaquePointer
    public let path: String

    /// The libgpiod library version, e.g. "2.1.3".
    public static var libraryVersion: String { String(cString: gpiod_api_version()) }

    public init(path: String) throws(GPIOError) {
        guard let c = gpiod_chip_open(path) else { throw .opening(path, errno: cgpiod_errno()) }
        chip = c
        self.path = path
    }

    deinit { gpiod_chip_close(chip) }

    public var label: String {
        guard let info = gpiod_chip_get_info(chip) else { return "" }
        defer { gpiod_chip_info_free(info) }
        return String(cString: gpiod_chip_info_get_label(info))
    }

    public var lineCount: Int {
        guard let info = gpiod_chip_get_info(chip) else { return 0 }
        defer { gpiod_chip_info_free(info) }
        return gpiod_chip_info_get_num_lines(info)
    }

    /// The offset of the line with this name, if the chip has one.
    public func offset(named name: String) -> Int? {
        let o = gpiod_chip_get_line_offset_from_name(chip, name)
        return o >= 0 ? Int(o) : nil
    }

    /// Every GPIO character device, sorted (`/dev/gpiochip0`, ...).
    public static func allPaths(in directory: String = "/dev") -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var out: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix("gpiochip") { out.append(directory + "/" + name) }
        }
        return out.sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }
    }

    /// A chip named as a path (`/dev/gpiochip0`), a device name (`gpiochip0`), or a label.
    public static func path(for spec: String) throws(GPIOError) -> String {
        if spec.hasPrefix("/") { return spec }
        if spec.hasPrefix("gpiochip") { return "/dev/" + spec }
        for p in allPaths() {
            if let c = try? GPIOChip(path: p), c.label == spec { return p }
        }
        throw .noSuchChip(spec)
    }
}
