import Foundation
import Store

extension ConfigDocument.API {
    /// The entry with the API's import options and output-schema mode as stored (defaults left out).
    func exporting(_ record: APIRecord) -> ConfigDocument.API {
        var entry = self
        entry.strict = record.strictImport ? true : nil
        entry.keepLongNames = record.keepLongNames ? true : nil
        entry.outputSchema = record.outputSchemaMode.flatMap(OutputSchemaMode.init(rawValue:)).flatMap {
            (mode: OutputSchemaMode) -> OutputSchemaMode? in mode == .tolerant ? nil : mode
        }
        return entry
    }
}
