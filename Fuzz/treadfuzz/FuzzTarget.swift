import Foundation

/// One thing under fuzz. `run` must return for any bytes; a trap, a hang, or a broken promise
/// of the code under test (checked with `FuzzCheck.fail`) is a finding.
protocol FuzzTarget {
    func run(_ bytes: UnsafeRawBufferPointer)
}

enum FuzzTargets {
    static let names = ["program", "config", "profile", "request", "modbus-reply"]

    static func fromEnvironment() -> any FuzzTarget {
        let name = ProcessInfo.processInfo.environment["TREADFUZZ_TARGET"] ?? ""
        switch name {
        case "program": return ProgramFileTarget()
        case "config": return DaemonConfigTarget()
        case "profile": return DriveProfileTarget()
        case "request": return RequestTarget()
        case "modbus-reply": return ModbusReplyTarget()
        default:
            FileHandle.standardError.write(Data("treadfuzz: set TREADFUZZ_TARGET to one of: \(names.joined(separator: ", ")) (got \"\(name)\")\n".utf8))
            exit(2)
        }
    }
}

/// A broken promise: printed, then a trap, so libFuzzer records the input as a crash.
enum FuzzCheck {
    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("treadfuzz: \(message)\n".utf8))
        fatalError(message)
    }
}
