import Foundation

/// One row of a benchmark's table: a figure, its target if it has one, and whether it met it.
struct Row {
    var metric: String
    var value: String
    var target: String
    var met: Bool?

    var json: [String: Any] { ["metric": metric, "value": value, "target": target, "met": met.map { $0 as Any } ?? NSNull()] }
}

func ms(_ v: Double) -> String { String(format: "%.3f ms", v) }

/// The rows as a Markdown-style table with a `met?` column.
func renderTable(_ rows: [Row]) -> String {
    let w0 = max(6, rows.map(\.metric.count).max() ?? 0), w1 = max(5, rows.map(\.value.count).max() ?? 0)
    let w2 = max(6, rows.map(\.target.count).max() ?? 0)
    func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
    var table = pad("metric", w0) + " | " + pad("value", w1) + " | " + pad("target", w2) + " | met?\n"
    table += String(repeating: "-", count: w0) + "-|-" + String(repeating: "-", count: w1) + "-|-" + String(repeating: "-", count: w2) + "-|-----\n"
    for r in rows {
        table += pad(r.metric, w0) + " | " + pad(r.value, w1) + " | " + pad(r.target, w2) + " | " + (r.met.map { $0 ? "yes" : "NO" } ?? "") + "\n"
    }
    return table
}

/// CPUs, kernel, Swift, libmodbus and the load average now.
func machineInfo() -> [String: Any] {
    [
        "nproc": firstLine(["nproc"]),
        "uname_r": firstLine(["uname", "-r"]),
        "swift_version": firstLine(["swift", "--version"]),
        "libmodbus": firstLine(["pkg-config", "--modversion", "libmodbus"]),
        "loadavg_at_end": firstLine(["cat", "/proc/loadavg"]),
    ]
}

func machineLine(_ machine: [String: Any]) -> String {
    "machine: \(machine["nproc"]!) CPUs, Linux \(machine["uname_r"]!), \(machine["swift_version"]!); load average \(machine["loadavg_at_end"]!)"
}

/// UTC time stamp for result file names: 20261127T043240Z.
func resultStamp(_ date: Date) -> String {
    let stamp = DateFormatter()
    stamp.locale = Locale(identifier: "en_US_POSIX")
    stamp.timeZone = TimeZone(identifier: "UTC")
    stamp.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
    return stamp.string(from: date)
}

/// Prints the table, the notes and the JSON, and writes `<name>-<stamp>.json` under `dir`.
func report(name: String, at date: Date, table: String, notes: [String], machine: [String: Any], json: [String: Any], dir: String) throws {
    print("")
    print(table, terminator: "")
    print("")
    for n in notes where !n.isEmpty { print(n) }
    print(machineLine(machine))

    let url = URL(fileURLWithPath: dir)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    let file = url.appendingPathComponent("\(name)-\(resultStamp(date)).json")
    let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
    try (data + Data("\n".utf8)).write(to: file, options: .atomic)
    print("")
    print(String(decoding: data, as: UTF8.self))
    print("benchmark results written to \(file.path)")
}
