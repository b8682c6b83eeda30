import TreadCore
import TreadFiles

/// The program loader (ProgramFile.parse): bytes as a program file's text. A program that
/// loads must also render back to text that loads as the same program (`treadctl plan` and
/// `programs.show` rely on the rendering).
struct ProgramFileTarget: FuzzTarget {
    func run(_ bytes: UnsafeRawBufferPointer) {
        guard let text = LoaderChecks.text(bytes) else { return }
        let file = "fuzz.toml"
        let program: Program
        do {
            program = try ProgramFile.parse(text, file: file)
        } catch {
            for e in error.errors { LoaderChecks.check(e, file: file, text: text) }
            return
        }
        _ = program.totalDuration
        _ = program.reverseShare
        _ = program.plannedDistance
        let rendered = ProgramFile.render(program)
        do {
            _ = try ProgramFile.parse(rendered, file: "rendered.toml", name: program.name)
        } catch {
            FuzzCheck.fail("a loaded program renders to text that does not load:\n\(error)\n--- rendered:\n\(rendered)")
        }
    }
}
