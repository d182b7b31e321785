/// The result of one attempt of a checker or a script.
public enum CheckOutcome: Hashable, Sendable {
    /// It passed; `dynamicWeight` is set by a MISC_CHECK with misc_dynamic that exited 2–255 (status − 2).
    case success(dynamicWeight: Int? = nil)
    /// It failed, with a short reason for the log.
    case failure(String)

    /// True for `.success`.
    public var passed: Bool {
        if case .success = self { return true }
        return false
    }

    /// keepalived's MISC_CHECK reading of an exit status: 0 up, 1 down, 2–255 up (with weight status − 2
    /// when `dynamic`); killed by a signal or timed out is down.
    public static func fromExitStatus(_ status: Int32, dynamic: Bool) -> CheckOutcome {
        switch status {
        case 0: return .success()
        case 2...255: return .success(dynamicWeight: dynamic ? Int(status) - 2 : nil)
        default: return .failure("exit status \(status)")
        }
    }
}
