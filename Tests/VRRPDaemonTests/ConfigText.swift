/// One vrrp_instance block of keepalived.conf.
struct Instance {
    var name = "VI_1"
    /// nil: no `state` line.
    var state: String? = "BACKUP"
    var interface = "eth0"
    var vrid = 51
    /// nil: no `priority` line.
    var priority: Int? = 100
    var advertInterval = "1"
    var version = 2
    var vips = ["192.0.2.100/24"]
    var nopreempt = false
    var preemptDelay: Int?
    var unicast: (source: String, peers: [String])?
    var trackScripts: [String] = []
    /// Further lines inside the block, as written (track_interface, mcast_src_ip, ...).
    var extra: [String] = []

    var text: String {
        var lines = ["vrrp_instance \(name) {"] + [state.map { "    state \($0)" }].compactMap { $0 }
            + ["    interface \(interface)", "    virtual_router_id \(vrid)"]
            + [priority.map { "    priority \($0)" }].compactMap { $0 }
            + ["    advert_int \(advertInterval)", "    version \(version)"]
        if version == 2 { lines += ["    authentication {", "        auth_type PASS", "        auth_pass secret", "    }"] }
        lines += ["    virtual_ipaddress {"] + vips.map { "        \($0)" } + ["    }"]
        if let unicast {
            lines += ["    unicast_src_ip \(unicast.source)", "    unicast_peer {"] + unicast.peers.map { "        \($0)" } + ["    }"]
        }
        if nopreempt { lines.append("    nopreempt") }
        if let preemptDelay { lines.append("    preempt_delay \(preemptDelay)") }
        if !trackScripts.isEmpty { lines += ["    track_script {"] + trackScripts.map { "        \($0)" } + ["    }"] }
        lines += extra.map { "    \($0)" }
        return (lines + ["}"]).joined(separator: "\n") + "\n"
    }
}

/// A vrrp_script block; checkd runs it, so only its name and weight matter here.
func vrrpScript(_ name: String, weight: Int = 0, reverse: Bool = false) -> String {
    """
    vrrp_script \(name) {
        script "/bin/true"
        interval 1
        weight \(weight)\(reverse ? " reverse" : "")
    }

    """
}

/// `extra` lines go inside the group block, after its members.
func syncGroup(_ name: String, _ members: [String], extra: [String] = []) -> String {
    "vrrp_sync_group \(name) {\n    group {\n" + members.map { "        \($0)\n" }.joined() + "    }\n"
        + extra.map { "    \($0)\n" }.joined() + "}\n"
}
