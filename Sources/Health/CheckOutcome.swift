/// The result of one attempt of a checker or a script.
public enum CheckOutcome: Hashable, Sendable {
    /// It passed.
    case success
    /// It failed, with a short reason for the log.
    case failure(String)
    /// A MISC_CHECK program ended so; whether that is up, and what it does to the weight, depends on the
    /// checker's earlier results too (`CheckerState`).
    case misc(MiscCheckEnd)

    /// True when the attempt says up.
    public var passed: Bool {
        switch self {
        case .success: return true
        case .failure: return false
        case .misc(let end): return end.passed
        }
    }

    /// Why the attempt says down; nil when it passed.
    public var failureReason: String? {
        switch self {
        case .success: return nil
        case .failure(let reason): return reason
        case .misc(let end): return end.passed ? nil : "\(end)"
        }
    }
}
