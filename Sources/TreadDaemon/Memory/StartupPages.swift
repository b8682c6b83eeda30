import Foundation

/// Gives back the pages of treadd's own executable that only start-up touched, once treadd is
/// ready: the Linux kernel's `free_initmem`, for a process.
///
/// Why: the release binary is one static file of about 70 MB. Start-up (the dynamic loader
/// applying 100,000 relocations, the Swift runtime's first type lookups, argument and config
/// parsing, GRDB's migrations, NIO's bootstrap) touches code all over it, and the kernel maps
/// 64 KiB around every page it faults in. That left about 20 MiB of the executable resident,
/// against an idle working set of about 3 MiB (docs/benchmarks.md, "Memory").
///
/// How, and why it is safe: `madvise(MADV_DONTNEED)` on a read-only, file-backed private
/// mapping only drops this process's page-table entries; the pages stay in the page cache, so
/// the next touch of one is a minor fault, not a read from the SD card. A mapping that holds
/// private copies (text relocations, a debugger's breakpoints, RELRO data) would lose them, so
/// only mappings that are not writable *and* hold no anonymous pages (from /proc/self/smaps)
/// are released. Nothing the belt needs is lost: the code the control, drive and input threads
/// run faults back in on their next tick, which the benchmarks measure after this has run.
public enum StartupPages {
    /// What `release()` did: the mappings it released and the resident KiB they held.
    public struct Released: Sendable, Equatable {
        public var mappings: Int
        public var kib: Int
        public var skipped: [String]
    }

    /// Releases the executable's start-up pages; never throws (a failure costs memory, not
    /// function), the reasons for skipped mappings are returned for the log.
    public static func release(smaps: String? = try? String(contentsOfFile: "/proc/self/smaps", encoding: .utf8),
                               executable: String? = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
                               advise: (UInt, UInt) -> Int32 = { start, length in
                                   madvise(UnsafeMutableRawPointer(bitPattern: start), Int(length), MADV_DONTNEED)
                               }) -> Released {
        var released = Released(mappings: 0, kib: 0, skipped: [])
        guard let smaps, let executable else {
            released.skipped.append("cannot read /proc/self/smaps or /proc/self/exe")
            return released
        }
        for mapping in Mapping.parse(smaps) where mapping.path == executable {
            guard !mapping.writable else { continue }
            guard mapping.anonymousKiB == 0 else {
                released.skipped.append("\(mapping.range): \(mapping.anonymousKiB) KiB private copies")
                continue
            }
            if advise(mapping.start, mapping.end - mapping.start) == 0 {
                released.mappings += 1
                released.kib += mapping.residentKiB
            } else {
                released.skipped.append("\(mapping.range): madvise errno \(errno)")
            }
        }
        return released
    }

    /// One mapping of /proc/self/smaps: its header line and the two fields that matter here.
    struct Mapping: Equatable {
        var start: UInt
        var end: UInt
        var writable: Bool
        var path: String
        var residentKiB = 0
        var anonymousKiB = 0

        var range: String { "\(String(start, radix: 16))-\(String(end, radix: 16))" }

        /// Header lines are `start-end perms offset dev inode [path]`; field lines are
        /// `Name:  value kB`. A header's path may contain spaces, so it is the rest of the line.
        static func parse(_ text: String) -> [Mapping] {
            var mappings: [Mapping] = []
            for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
                let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
                if let first = fields.first, first.contains("-"), !first.hasSuffix(":"), fields.count >= 5 {
                    let bounds = first.split(separator: "-")
                    guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16) else { continue }
                    let path = fields.count == 6 ? fields[5].trimmingCharacters(in: .whitespaces) : ""
                    mappings.append(Mapping(start: start, end: end, writable: fields[1].dropFirst().first == "w", path: path))
                } else if fields.count >= 2, !mappings.isEmpty, let value = Int(fields[1]) {
                    switch fields[0] {
                    case "Rss:": mappings[mappings.count - 1].residentKiB = value
                    case "Anonymous:": mappings[mappings.count - 1].anonymousKiB = value
                    default: break
                    }
                }
            }
            return mappings
        }
    }
}
