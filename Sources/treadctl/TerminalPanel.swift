import Foundation

/// Draws `LiveDisplay` frames in place on a terminal with ANSI escapes: the cursor goes back
/// up over the previous frame and each line is cleared and rewritten, so the panel stays put
/// while event lines scroll above it.
final class TerminalPanel {
    private var drawn = 0

    /// Replaces the previous frame with `lines`.
    func draw(_ lines: [String]) {
        var out = rewind()
        for line in lines { out += "\r\u{1B}[2K" + line + "\n" }
        drawn = lines.count
        write(out)
    }

    /// Prints `line` above the panel; the next `draw` puts the panel back under it.
    func note(_ line: String) {
        write(rewind() + "\u{1B}[J" + line + "\n")
        drawn = 0
    }

    /// Leaves the last frame on screen and the cursor under it.
    func finish() { drawn = 0 }

    private func rewind() -> String { drawn > 0 ? "\u{1B}[\(drawn)F" : "" }

    private func write(_ s: String) {
        FileHandle.standardOutput.write(Data(s.utf8))
    }

    /// Columns of the terminal on stdout, or 80 when it does not say.
    static var width: Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}
