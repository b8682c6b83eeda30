import TreadCore
import TreadFiles
import TreadProtocol

/// The program a request names: a name from the programs folder (in memory, at once), or
/// `program_source` text, parsed by the helper process through the parser desk (later, on the
/// desk's queue). Never parses text here.
struct ProgramLookup: Sendable {
    let shelf: ProgramShelf
    let parser: ProgramParserDesk

    func resolve(_ params: Params, method: String, done: @escaping @Sendable (Result<Program, ErrorBody>) -> Void) {
        if let src = params.programSource {
            parser.parse(ProgramDocument(file: src.file, text: src.text)) { result in
                switch result {
                case .success(let p): done(.success(p))
                case .failure(.invalid(let e)): done(.failure(ErrorBody(code: .badProgram, message: e.description)))
                case .failure(.parser(let f)): done(.failure(ErrorBody(code: .parserFailed, message: f.description)))
                }
            }
            return
        }
        guard let name = params.program else {
            return done(.failure(ErrorBody(code: .badRequest, message: "\(method) needs params.program (a name) or params.program_source")))
        }
        do {
            done(.success(try shelf.current.program(named: name)))
        } catch {
            switch error {
            case .unknown: done(.failure(ErrorBody(code: .unknownProgram, message: error.description)))
            case .broken: done(.failure(ErrorBody(code: .badProgram, message: error.description)))
            }
        }
    }
}
