/// The suite's version, printed by `--version` and in the start-up log.
public enum TandemVersion {
    public static let string = "0.1.0"
}
