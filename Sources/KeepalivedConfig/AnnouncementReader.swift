/// `tandem_announce NAME { ... }`: tandem's extension for directors behind routers that spread flows over several
/// of them (BGP ECMP). keepalived has no such block; its parser reports "Unknown keyword" for the block's lines
/// and goes on, so a file with one still runs under keepalived, without the announcements. No keyword inside is
/// one of keepalived's top-level keywords, which keepalived would otherwise read there.
///
///     tandem_announce web {
///         address 203.0.113.10 203.0.113.11     # one or more per line, IPv4 or IPv6
///         track_script { chk_uplink }           # every one must pass (no weights: an address is in or out)
///         track_interface { eth0 }              # every one must be up
///         table 200                             # the kernel table the routing daemon imports (1-252)
///         withdraw_delay 5                      # seconds between withdrawing and letting go when stopping
///     }
enum AnnouncementReader {
    static let table: KeywordTable<HealthAnnouncement> = {
        var table = KeywordTable<HealthAnnouncement>("tandem_announce")
        table.add("address", arity: .rest(minimum: 1)) { announcement, s, values in
            for token in s.arguments {
                guard let address = values.address(token, "tandem_announce \(announcement.name) address") else { continue }
                if announcement.addresses.contains(address) {
                    values.log.warning(token.location, "tandem_announce \(announcement.name): \(address) is listed twice; once is enough")
                    continue
                }
                announcement.addresses.append(address)
            }
        }
        table.add("track_script", arity: .exactly(0), block: true) { announcement, s, values in
            for entry in TrackListReader.read(s, "track_script", values: &values) {
                if entry.weight != nil {
                    values.log.error(entry.name.location, "tandem_announce \(announcement.name): track_script \(entry.name.word ?? "") takes no weight here: an address is announced only while every script passes")
                    continue
                }
                announcement.trackScripts.append(entry.name.word ?? "")
            }
        }
        table.add("track_interface", arity: .exactly(0), block: true) { announcement, s, values in
            for entry in TrackListReader.read(s, "track_interface", values: &values) {
                if entry.weight != nil {
                    values.log.error(entry.name.location, "tandem_announce \(announcement.name): track_interface \(entry.name.word ?? "") takes no weight here: an address is announced only while every interface is up")
                    continue
                }
                announcement.trackInterfaces.append(entry.name.word ?? "")
            }
        }
        table.add("table", arity: .exactly(1)) { announcement, s, values in
            // zebra's `ip import-table` takes 1-252; 253-255 are the kernel's default, main and local tables.
            if let number = values.integer(s.arguments[0], "tandem_announce \(announcement.name) table", in: 1...252) {
                announcement.table = UInt32(number)
            }
        }
        table.add("withdraw_delay", arity: .exactly(1)) { announcement, s, values in
            if let delay = values.duration(s.arguments[0], "tandem_announce \(announcement.name) withdraw_delay",
                                           maximum: HealthAnnouncement.longestWithdrawDelay) {
                announcement.withdrawDelay = delay
            }
        }
        return table
    }()
}
