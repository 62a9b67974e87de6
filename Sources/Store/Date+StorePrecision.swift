import Foundation
import GRDB

extension Date {
    /// This date as the store keeps it: GRDB writes dates as `yyyy-MM-dd HH:mm:ss.SSS`, so a date read back is the
    /// written one truncated to the millisecond. Stamping with this value makes a record in memory equal to the same
    /// record read back, so versions, ETags and `updated_since` answers do not shift after a reload.
    public var storePrecision: Date { Date.fromDatabaseValue(databaseValue) ?? self }

    /// Now, at the store's precision (see ``storePrecision``).
    public static var storeNow: Date { Date().storePrecision }
}
