/// What tandem does with a keepalived keyword that no reader table implements. Every keyword keepalived 2.2.7
/// installs is either implemented by a table or has exactly one rule here (CompatibilityTableTests enforces both).
enum KeywordClass: String, Sendable, CaseIterable {
    case implemented
    /// An error: running without the keyword would change which node holds an address or route, where traffic
    /// goes, or who can talk to the daemon.
    case refused
    /// Accepted with a warning that says what differs.
    case warned
}

struct KeywordRule: Sendable {
    var kind: KeywordClass
    /// The consequence, in plain words; it is the diagnostic's text.
    var note: String
}

/// Blocks are named as keepalived nests them: `top`, `global_defs`, `vrrp_instance`,
/// `virtual_server/real_server/HTTP_GET/url`. A rule for a block keyword (`top` `bfd_instance`) covers the
/// block's own keywords too: the block is refused or skipped as a whole, so they are never read.
enum KeywordClasses {
    static func rule(block: String, keyword: String) -> KeywordRule? {
        if let rule = rules[block]?[keyword] { return rule }
        return enclosingRule(of: block)
    }

    /// The rule of the nearest enclosing block keyword that has one (`vrrp_track_process` for its `weight`).
    static func enclosingRule(of block: String) -> KeywordRule? {
        var parts = block.split(separator: "/").map(String.init)
        while let last = parts.popLast() {
            let parent = parts.isEmpty ? "top" : parts.joined(separator: "/")
            if let rule = rules[parent]?[last] { return rule }
        }
        return nil
    }

    /// Keywords the preprocessor implements before any table sees the text.
    static let preprocessorKeywords: Set<String> = ["include"]

    private static let vmacGratuitousARP = "no periodic GARP/NA is sent on interfaces other than the instance's own and its addresses' (keepalived's VMAC extra interfaces; use_vmac itself is refused)"
    private static let ownProcess = "affects only keepalived's own process; tandem's daemons take scheduling, memory locking and limits from their systemd units (CPUSchedulingPolicy=, LimitRTTIME=, CPUAffinity=)"
    private static let processName = "tandem's daemons are named vrrpd, ipvsd and checkd"
    static let noMail = "no mail is sent; use journald or notify scripts"
    static let scriptSecurityUnchecked = "scripts are not checked for being writable by non-root users; keep them and their directories root-owned"
    private static let noSNMP = "no SNMP agent; use tandemctl/journald"
    private static let noDBus = "no D-Bus service; use tandemctl"
    private static let noFIFO = "no fifo is written; use notify scripts"
    private static let netlinkBuffers = "tandem sizes its own netlink socket buffers"
    private static let reload = "keepalived's reload options do nothing; tandem reloads on SIGHUP (systemctl reload), refusing a file with errors"
    private static let noFirewall = "no iptables/nftables rules are added: packets to the virtual addresses are accepted (as with accept)"
    private static let tracker = "this tracker is not implemented: the priorities and faults it would cause would not happen"

    private static let rules: [String: [String: KeywordRule]] = {
        var table: [String: [String: KeywordRule]] = [:]
        func add(_ block: String, _ kind: KeywordClass, _ keywords: [String], _ note: String) {
            for keyword in keywords {
                precondition(table[block]?[keyword] == nil, "\(block) \(keyword) is classified twice")
                table[block, default: [:]][keyword] = KeywordRule(kind: kind, note: note)
            }
        }
        // Top level.
        add("top", .refused, ["net_namespace", "net_namespace_ipvs"],
            "tandem runs in the network namespace systemd starts it in: addresses and IPVS rules would land in the wrong namespace")
        add("top", .refused, ["vrrp_track_process", "track_group"], tracker)
        add("top", .refused, ["bfd_instance"],
            "BFD is not implemented: instances and real servers tracking this session would never go down when the neighbour does")
        add("top", .refused, ["SSL"],
            "SSL_GET's client certificate and CA are not implemented: checks against a server that requires them would fail, or not verify")
        add("top", .warned, ["child_wait_time", "use_pid_dir", "instance"],
            "affects keepalived's child processes and pid files; tandem's daemons are separate systemd units")
        add("top", .warned, ["linkbeat_use_polling", "linkbeat_interfaces"],
            "tandem follows link state through netlink; there is no polling")
        add("top", .warned, ["interface_up_down_delays"],
            "interface up and down events take effect at once, without keepalived's delays")
        add("top", .warned, ["namespace_with_ipsets"], "tandem manages no ipsets")

        // global_defs: keepalived's own process.
        add("global_defs", .warned, [
            "vrrp_no_swap", "checker_no_swap", "bfd_no_swap",
            "vrrp_priority", "checker_priority", "bfd_priority",
            "vrrp_rt_priority", "checker_rt_priority", "bfd_rt_priority",
            "vrrp_rlimit_rtime", "checker_rlimit_rtime", "bfd_rlimit_rtime",
            "vrrp_rlimit_rttime", "checker_rlimit_rttime", "bfd_rlimit_rttime",
            "vrrp_cpu_affinity", "checker_cpu_affinity", "bfd_cpu_affinity",
            "max_auto_priority", "min_auto_priority_delay", "umask",
        ], ownProcess)
        add("global_defs", .warned, ["process_names", "process_name", "vrrp_process_name", "checker_process_name",
                                     "lvs_process_name", "bfd_process_name"], processName)
        add("global_defs", .warned, ["vrrp_netlink_cmd_rcv_bufs", "vrrp_netlink_cmd_rcv_bufs_force",
                                     "vrrp_netlink_monitor_rcv_bufs", "vrrp_netlink_monitor_rcv_bufs_force",
                                     "lvs_netlink_cmd_rcv_bufs", "lvs_netlink_cmd_rcv_bufs_force",
                                     "lvs_netlink_monitor_rcv_bufs", "lvs_netlink_monitor_rcv_bufs_force",
                                     "process_monitor_rcv_bufs", "process_monitor_rcv_bufs_force",
                                     "vrrp_rx_bufs_policy", "vrrp_rx_bufs_multiplier"], netlinkBuffers)
        add("global_defs", .warned, ["reload_check_config", "reload_time_file", "reload_repeat", "reload_file",
                                     "include_check", "config_save_dir", "tmp_config_directory"], reload)
        add("global_defs", .warned, ["data_use_instance"], "data and stats files are not written; use tandemctl")
        add("global_defs", .warned, ["random_seed"], "tandem seeds its own randomness")
        add("global_defs", .warned, ["smtp_helo_name", "smtp_alert_vrrp", "smtp_alert_checker", "no_email_faults",
                                     "no_checker_emails"], noMail)
        add("global_defs", .warned, ["enable_snmp_vrrp", "enable_snmp_checker", "enable_snmp_rfc",
                                     "enable_snmp_rfcv2", "enable_snmp_rfcv3", "enable_snmp_keepalived",
                                     "enable_traps", "snmp_socket"], noSNMP)
        add("global_defs", .warned, ["enable_dbus", "dbus_service_name"], noDBus)
        add("global_defs", .warned, ["notify_fifo", "notify_fifo_script", "vrrp_notify_fifo", "vrrp_notify_fifo_script",
                                     "lvs_notify_fifo", "lvs_notify_fifo_script", "fifo_write_vrrp_states_on_reload"], noFIFO)
        add("global_defs", .warned, ["vrrp_notify_priority_changes"],
            "notify scripts are not told of priority changes, only of state changes")
        add("global_defs", .warned, ["rs_init_notifies"],
            "real servers' notify scripts are not run for their initial state")
        add("global_defs", .warned, ["startup_script", "startup_script_timeout", "shutdown_script",
                                     "shutdown_script_timeout"],
            "the script is not run; use ExecStartPre=/ExecStopPost= in tandem's systemd unit")
        add("global_defs", .warned, ["vrrp_garp_extra_if", "vrrp_vmac_garp_intvl"], vmacGratuitousARP)
        add("global_defs", .warned, ["vrrp_strict"],
            "RFC strict mode is not enforced: the configuration is not checked against it and " + noFirewall)
        add("global_defs", .warned, ["vrrp_iptables", "vrrp_ipsets", "nftables", "nftables_priority", "nftables_ifindex",
                                     "nftables_counters", "nftables_ipvs", "nftables_ipvs_priority",
                                     "nftables_ipvs_start_fwmark"], noFirewall)
        add("global_defs", .warned, ["vrrp_skip_check_adv_addr"],
            "the address list of adverts is not compared with this node's")
        add("global_defs", .refused, ["default_interface"],
            "not implemented: addresses and instances without an interface would not be placed on it")
        add("global_defs", .warned, ["dynamic_interfaces"],
            "interfaces must exist when tandem starts; one that disappears puts its instances in FAULT")
        add("global_defs", .warned, ["disable_local_igmp"], "tandem leaves the kernel's IGMP reports as they are")
        add("global_defs", .warned, ["log_unknown_vrids"], "adverts for unknown VRIDs are not logged")
        add("global_defs", .refused, ["lvs_flush"],
            "not implemented: IPVS rules left by another program would stay in the kernel and keep directing traffic")
        add("global_defs", .warned, ["vmac_prefix", "vmac_addr_prefix"], "no VMAC interfaces are made (use_vmac is refused)")
        add("global_defs", .warned, ["vrrp_down_timer_adverts"],
            "the master-down timer is the RFC's three adverts (plus skew)")
        add("global_defs", .warned, ["vrrp_startup_delay"], "VRRP instances start as soon as vrrpd does")

        // vrrp_instance.
        add("vrrp_instance", .refused, ["use_vmac", "use_vmac_addr", "vmac_xmit_base", "use_ipvlan"],
            "VMAC/ipvlan interfaces are not implemented: the addresses would live on the parent interface with its own MAC, and the peers' switch would learn a different MAC")
        add("vrrp_instance", .refused, ["vrf"],
            "VRFs are not implemented: the addresses would be in the default VRF")
        add("vrrp_instance", .refused, ["track_file", "track_process", "track_bfd"], tracker)
        add("vrrp_instance", .refused, ["mcast_dst_ip"],
            "adverts go to 224.0.0.18/ff02::12 only: peers listening on another group would not hear this node")
        add("vrrp_instance", .refused, ["old_unicast_checksum"],
            "adverts use the RFC checksum: peers running old keepalived would reject them")
        add("vrrp_instance", .refused, ["unicast_fault_no_peer"],
            "not implemented: the instance would not go to FAULT when it has no unicast peer")
        add("vrrp_instance", .refused, ["unicast_ttl"],
            "not implemented: unicast adverts would leave with the default TTL and peers that check it would drop them")
        add("vrrp_instance", .refused, ["promote_secondaries"],
            "not implemented: removing the primary address would remove the interface's secondary addresses too")
        add("vrrp_instance", .refused, ["track_src_ip"],
            "not implemented: the instance would not go to FAULT when its source address goes away")
        add("vrrp_instance", .warned, ["garp_extra_if", "vmac_garp_intvl"], vmacGratuitousARP)
        add("vrrp_instance", .warned, ["accept", "no_accept"],
            "packets to the virtual addresses are always accepted; no firewall rules are added")
        add("vrrp_instance", .warned, ["strict_mode"],
            "RFC strict mode is not enforced: the configuration is not checked against it and " + noFirewall)
        add("vrrp_instance", .warned, ["skip_check_adv_addr"],
            "the address list of adverts is not compared with this node's")
        add("vrrp_instance", .warned, ["notify_priority_changes"],
            "notify scripts are not told of priority changes, only of state changes")
        add("vrrp_instance", .warned, ["notify_deleted"], "notify scripts are not run when the instance is deleted")
        add("vrrp_instance", .warned, ["notify_master_rx_lower_pri"],
            "no script is run when a master hears a lower-priority master")
        add("vrrp_instance", .warned, ["down_timer_adverts"], "the master-down timer is the RFC's three adverts (plus skew)")
        add("vrrp_instance", .warned, ["debug", "kernel_rx_buf_size"], "affects only keepalived's own process")
        add("vrrp_instance", .warned, ["linkbeat_use_polling"], "tandem follows link state through netlink; there is no polling")
        add("vrrp_instance", .warned, ["native_ipv6"], "the advert family follows the virtual addresses' family")

        add("vrrp_script", .refused, ["init_fail"],
            "not implemented: the script would start as passing, so the priority would start too high")
        add("vrrp_sync_group", .refused, ["track_file", "track_process", "track_bfd"], tracker)
        add("vrrp_sync_group", .warned, ["notify_priority_changes"],
            "notify scripts are not told of priority changes, only of state changes")
        add("vrrp_sync_group", .warned, ["smtp_alert"], noMail)

        // Virtual servers.
        add("virtual_server", .refused, ["persistence_engine"],
            "persistence engines (sip) are not implemented: calls would not stick to one real server")
        add("virtual_server", .refused, ["ip_family"],
            "not implemented: the service's family would be guessed from its addresses, which a fwmark service without real servers does not have")
        add("virtual_server", .warned, ["snmp_name"], noSNMP)
        for block in ["global_defs", "vrrp_instance", "virtual_server", "virtual_server/real_server"] {
            add(block, .warned, ["smtp_alert"], noMail)
        }
        add("virtual_server/real_server", .warned, ["snmp_name"], noSNMP)
        add("virtual_server/real_server", .warned, ["virtualhost"],
            "HTTP checks of this server send the checker's or url's virtualhost, not this one")
        add("virtual_server/real_server", .refused, ["BFD_CHECK"],
            "BFD is not implemented; keepalived takes the real server out while the BFD session is down, tandem would keep it in service")
        for checker in ["TCP_CHECK", "HTTP_GET", "SSL_GET", "MISC_CHECK", "UDP_CHECK", "DNS_CHECK", "SMTP_CHECK",
                        "PING_CHECK", "SMTP_CHECK/host"] {
            let block = "virtual_server/real_server/" + checker
            add(block, .refused, ["alpha"],
                "not implemented: the real server would be in service before its first check passes")
            if checker != "MISC_CHECK" {
                add(block, .warned, ["bind_if", "fwmark"],
                    "checks leave by the interface and mark the routing table chooses")
            }
        }
        add("virtual_server/real_server/MISC_CHECK", .warned, ["user"], "the program runs as checkd's user")
        for checker in ["HTTP_GET", "SSL_GET"] {
            let block = "virtual_server/real_server/" + checker
            add(block, .warned, ["fast_recovery"], "a failed server needs `retry` successes to come back, as without fast_recovery")
            add(block, .warned, ["http_protocol"], "requests use tandem's HTTP version and Connection header")
            add(block + "/url", .refused, ["regex", "regex_no_match", "regex_options", "regex_min_offset",
                                          "regex_max_offset", "regex_stack"],
                "body regexes are not implemented: a server whose page does not match would be kept in service")
        }
        add("virtual_server/real_server/HTTP_GET", .warned, ["enable_sni"],
            "HTTP_GET uses no TLS, so there is no SNI to send (as in keepalived)")
        add("virtual_server/real_server/SSL_GET", .refused, ["enable_sni"],
            "no SNI is sent: a server that needs it would fail its checks, or answer with another site's page")
        return table
    }()

    /// Every rule, for the generated compatibility table.
    static var all: [(block: String, keyword: String, rule: KeywordRule)] {
        rules.flatMap { block, keywords in keywords.map { (block, $0.key, $0.value) } }
    }
}
