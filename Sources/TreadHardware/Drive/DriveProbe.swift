import TreadCore

/// A commissioning check of a profile against a live drive: connect (which writes the
/// connect-time parameters), read identity and status, read every written parameter back.
/// Ends with a stop command, so probing never leaves the drive running.
public struct DriveProbe: Sendable {
    public struct Check: Sendable {
        public var name: String
        public var register: UInt16
        public var wrote: UInt16
        public var read: UInt16?
        public var error: String?
        public var ok: Bool { error == nil && read == wrote }
    }

    public struct Report: Sendable {
        public var drive: String
        public var connectError: String?
        public var identity: [(name: String, value: UInt16)] = []
        public var status: DriveReport?
        public var statusError: String?
        public var checks: [Check] = []

        public var passed: Bool { connectError == nil && statusError == nil && checks.allSatisfy(\.ok) }

        public var text: String {
            var lines = ["drive:       \(drive)"]
            if let connectError {
                lines.append("connect:     FAILED: \(connectError)")
                lines.append("result:      FAILED: the drive did not accept the connect sequence")
                return lines.joined(separator: "\n")
            }
            lines.append("connect:     ok (stop, comm-loss time-out and action, ramps, parameters, start-up sequence)")
            for i in identity { lines.append("identity:    \(i.name) = \(i.value) (\(hex(i.value)))") }
            if let s = status {
                let trip = s.fault.map { "fault \($0.code): \($0.message)" } ?? "no fault"
                lines.append("status:      \(s.running ? "running" : "stopped"), \(s.direction?.rawValue ?? "?"), belt \(s.beltSpeed), \(trip)")
            } else {
                lines.append("status:      FAILED: \(statusError ?? "unknown")")
            }
            for c in checks {
                let got = c.read.map { "\($0)" } ?? "-"
                let verdict = c.ok ? "ok" : "MISMATCH" + (c.error.map { ": \($0)" } ?? "")
                lines.append("parameter:   \(c.name) [\(hex(c.register))] wrote \(c.wrote) read \(got): \(verdict)")
            }
            lines.append("result:      " + (passed ? "OK: the profile matches this drive" : "FAILED: see the lines above"))
            return lines.joined(separator: "\n")
        }
    }

    public static func run(_ drive: ModbusDrive) -> Report {
        var report = Report(drive: drive.description)
        defer {
            try? drive.command(.stop)
            drive.disconnect()
        }
        do { try drive.connect() } catch {
            report.connectError = error.description
            return report
        }
        do { report.identity = try drive.readIdentity() } catch { report.statusError = "identity: \(error)" }
        do { report.status = try drive.readReport() } catch { report.statusError = error.description }
        for (name, register, value) in drive.expectedParameters {
            var check = Check(name: name, register: register, wrote: value)
            do { check.read = try drive.readRegister(register, name) } catch { check.error = error.description }
            report.checks.append(check)
        }
        return report
    }
}
