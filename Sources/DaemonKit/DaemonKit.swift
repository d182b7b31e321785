// The DaemonKit module.
