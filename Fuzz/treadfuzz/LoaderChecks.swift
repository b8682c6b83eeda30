import TreadCore
import TreadFiles

/// What every TOML loader promises about its errors: each names the file it was given, and a
/// line, when it gives one, is a line of that file. A TOML syntax error always has a line.
enum LoaderChecks {
    static func check(_ error: FileError, file: String, text: String) {
        guard error.file == file else { FuzzCheck.fail("error names file \(error.file), expected \(file): \(error)") }
        guard !error.message.isEmpty else { FuzzCheck.fail("error without a message: \(error)") }
        if let line = error.line {
            let lines = max(1, text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).count)
            guard (1...lines).contains(line) else { FuzzCheck.fail("error on line \(line) of a \(lines)-line file: \(error)") }
        } else if error.message.hasPrefix("not valid TOML") {
            FuzzCheck.fail("a TOML syntax error without a line: \(error)")
        }
    }

    /// The loaders read files with `String(contentsOfFile:encoding: .utf8)`, which refuses
    /// invalid UTF-8; the same text is what they can ever be given.
    static func text(_ bytes: UnsafeRawBufferPointer) -> String? {
        String(validating: bytes, as: UTF8.self)
    }
}
