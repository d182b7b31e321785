import KeepalivedConfig
import Vocabulary

/// One checker's timings with every level merged and keepalived's defaults filled in.
public struct CheckerTiming: Hashable, Sendable {
    // Whole nanoseconds (8 bytes a field, a Duration takes 16): every checker keeps its timing.
    private var delayLoopNanoseconds: Int64
    private var connectTimeoutNanoseconds: Int64
    private var retryCount: Int32
    private var delayBeforeRetryNanoseconds: Int64
    private var warmupNanoseconds: Int64

    /// Time between two checks of a settled checker (`delay_loop`, default 60 s).
    public var delayLoop: Duration {
        get { .nanoseconds(delayLoopNanoseconds) }
        set { delayLoopNanoseconds = newValue.totalNanoseconds }
    }
    /// The bound on one attempt: connect, request and response (`connect_timeout`, default 5 s).
    public var connectTimeout: Duration {
        get { .nanoseconds(connectTimeoutNanoseconds) }
        set { connectTimeoutNanoseconds = newValue.totalNanoseconds }
    }
    /// How many more attempts a failing up checker gets before it goes down (`retry`/`nb_get_retry`).
    public var retry: Int {
        get { Int(retryCount) }
        set { retryCount = Int32(clamping: newValue) }
    }
    /// The pause before each of those attempts (`delay_before_retry`).
    public var delayBeforeRetry: Duration {
        get { .nanoseconds(delayBeforeRetryNanoseconds) }
        set { delayBeforeRetryNanoseconds = newValue.totalNanoseconds }
    }
    /// The first check comes at a random point in 0...warmup (`warmup`, default delay_loop).
    public var warmup: Duration {
        get { .nanoseconds(warmupNanoseconds) }
        set { warmupNanoseconds = newValue.totalNanoseconds }
    }

    /// Explicit timings, mostly for tests.
    public init(delayLoop: Duration, connectTimeout: Duration, retry: Int, delayBeforeRetry: Duration,
                warmup: Duration) {
        delayLoopNanoseconds = delayLoop.totalNanoseconds
        connectTimeoutNanoseconds = connectTimeout.totalNanoseconds
        retryCount = Int32(clamping: retry)
        delayBeforeRetryNanoseconds = delayBeforeRetry.totalNanoseconds
        warmupNanoseconds = warmup.totalNanoseconds
    }

    /// The timings of `check` on `realServer` of `virtualServer`, innermost setting first, then keepalived's
    /// defaults: delay_loop 60 s, connect_timeout 5 s, retry 1 (0 for MISC_CHECK, 3 for DNS_CHECK),
    /// delay_before_retry 3 s for HTTP_GET/SSL_GET, delay_loop for DNS_CHECK and 1 s otherwise, warmup = delay_loop.
    public init(check: HealthCheck, realServer: RealServer, virtualServer: VirtualServer) {
        let merged = check.timing.over(realServer.timing.over(virtualServer.timing))
        let delayLoop = merged.delayLoop ?? .seconds(60)
        let retry: Int
        let delayBeforeRetry: Duration
        switch check.kind {
        case .misc:
            retry = merged.retry ?? 0
            delayBeforeRetry = merged.delayBeforeRetry ?? .seconds(1)
        case .http, .ssl:
            retry = merged.retry ?? 1
            delayBeforeRetry = merged.delayBeforeRetry ?? .seconds(3)
        case .dns:
            retry = merged.retry ?? 3
            delayBeforeRetry = merged.delayBeforeRetry ?? delayLoop
        case .tcp, .udp, .smtp, .ping, .file:
            retry = merged.retry ?? 1
            delayBeforeRetry = merged.delayBeforeRetry ?? .seconds(1)
        }
        self.init(delayLoop: delayLoop, connectTimeout: merged.connectTimeout ?? .seconds(5), retry: retry,
                  delayBeforeRetry: delayBeforeRetry, warmup: merged.warmup ?? delayLoop)
    }
}
