/// Journal MESSAGE_IDs, one per kind of event, so operators can filter (`journalctl MESSAGE_ID=...`).
public enum MessageID {
    public static let started = "5f0e7c3a9b2d4c61a8e4d2b7c9a1f300"
    public static let configError = "5f0e7c3a9b2d4c61a8e4d2b7c9a1f301"
    public static let stateChange = "5f0e7c3a9b2d4c61a8e4d2b7c9a1f302"
    public static let realServerChange = "5f0e7c3a9b2d4c61a8e4d2b7c9a1f303"
    public static let peerConnected = "5f0e7c3a9b2d4c61a8e4d2b7c9a1f304"
    public static let trackScriptChange = "5f0e7c3a9b2d4c61a8e4d2b7c9a1f305"
    /// A tandem_announce address was published to the routing daemon or withdrawn.
    public static let announcementChange = "5f0e7c3a9b2d4c61a8e4d2b7c9a1f306"
}
