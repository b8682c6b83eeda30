/// Where one signal is wired: a chip (optional when the line has a unique name) and a line by
/// name or offset, with the electrical settings the kernel applies.
public struct GPIOLineSpec: Hashable, Sendable, CustomStringConvertible {
    public enum Line: Hashable, Sendable, CustomStringConvertible {
        case name(String)
        case offset(Int)
        public var description: String {
            switch self {
            case .name(let n): return "'\(n)'"
            case .offset(let o): return "offset \(o)"
            }
        }
    }

    public enum Bias: String, Hashable, Sendable, CaseIterable {
        case asIs = "as-is"
        case disabled
        case pullUp = "pull-up"
        case pullDown = "pull-down"
    }

    /// What the line is for, for messages ("estop", "drive_enable").
    public var role: String
    public var chip: String?
    public var line: Line
    /// For inputs: the line reads active when the signal is in its healthy state (e-stop
    /// circuit closed, key in, rail held, zone clear); `activeLow` inverts that.
    /// For outputs: active = energised.
    public var activeLow: Bool
    public var bias: Bias
    /// Kernel debounce for inputs; zero for outputs.
    public var debounce: Duration

    public init(role: String, chip: String? = nil, line: Line, activeLow: Bool = false, bias: Bias = .asIs, debounce: Duration = .zero) {
        self.role = role
        self.chip = chip
        self.line = line
        self.activeLow = activeLow
        self.bias = bias
        self.debounce = debounce
    }

    public var description: String { "\(role) = \(chip.map { "\($0) " } ?? "")line \(line)" }
}

/// A spec resolved against the running system.
public struct ResolvedLine: Hashable, Sendable, CustomStringConvertible {
    public var spec: GPIOLineSpec
    public var chipPath: String
    public var offset: Int

    public var description: String { "\(spec.role) (\(chipPath) line \(offset))" }
}

extension GPIOLineSpec {
    /// Finds the chip and offset. A named line without a chip is searched on every chip.
    public func resolve() throws(GPIOError) -> ResolvedLine {
        switch (chip, line) {
        case (let c?, .offset(let o)):
            let path = try GPIOChip.path(for: c)
            let chip = try GPIOChip(path: path)
            guard o >= 0, o < chip.lineCount else { throw .offsetOutOfRange(role: role, offset: o, chip: path, lines: chip.lineCount) }
            return ResolvedLine(spec: self, chipPath: path, offset: o)
        case (let c?, .name(let n)):
            let path = try GPIOChip.path(for: c)
            guard let o = try GPIOChip(path: path).offset(named: n) else { throw .noSuchLine(role: role, line: n, chip: c) }
            return ResolvedLine(spec: self, chipPath: path, offset: o)
        case (nil, .name(let n)):
            for path in GPIOChip.allPaths() {
                if let chip = try? GPIOChip(path: path), let o = chip.offset(named: n) {
                    return ResolvedLine(spec: self, chipPath: path, offset: o)
                }
            }
            throw .noSuchLine(role: role, line: n, chip: nil)
        case (nil, .offset):
            throw .noSuchChip("(none given for \(role): a line by offset needs a chip)")
        }
    }
}
