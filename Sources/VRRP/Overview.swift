// How an I/O shell (vrrpd) drives this module. Nothing here does I/O or reads a clock.
//
// Per instance, once:
//     var vrrp = VRRPInstance(config: cfg)          // cfg from keepalived.conf; normalized as keepalived does
//     let filter = vrrp.config.receiveFilter
//     var drops = VRRPDropCounters()
//     perform(vrrp.handle(.startup, at: now()))
//
// Receive path (IPv4 raw socket gives the whole datagram; IPv6 gives the payload plus cmsg facts):
//     switch filter.receiveIPv4(datagram: bytes) {        // or VRRPDecoder.decodeIPv4 once, then route by VRID
//     case .accepted(let ad, let src, let warnings): log(warnings); perform(vrrp.handle(.advertisement(ad, from: src), at: now()))
//     case .notForMe(let vrid): route to the instance with that VRID, or count as unknown
//     case .dropped(let reason): drops.record(reason)
//     }
//
// Timer: keep one timer per instance (or per sync group) at `nextDeadline`; when it fires, `handle(.timerFired, at:)`.
// Link, tracking: run `vrrpTracking(basePriority:scripts:interfaces:)` on every script result and link change, and
// send `.interfaceDown/.interfaceUp` when `isInterfaceFault` changes, `.trackDown/.trackUp` when `isScriptFault`
// changes and `.priorityChanged` when the priority changes (before `.startup` too, so the instance starts right).
// Stop: `handle(.shutdown, at:)`, carry out the actions (priority-0 advert, remove addresses), then exit.
//
// perform(actions) executes each VRRPAction in order: encode `.sendAdvertisement` with
// `encodeIPv4Datagram(source:destination:)` (IP_HDRINCL) or `encodeMessage` (IPv6, or IPv4 without HDRINCL;
// per unicast peer for v3, since the pseudo-header holds the destination), add/remove the addresses,
// send `repeat` GARPs/NAs per address, report `.stateChanged` to checkd/ipvsd and the journal, then re-arm the
// timer at `nextDeadline`, which any event may have moved.
// Sync groups: wrap the members in `VRRPSyncGroup` and send every member's events through it; `VRRPUnit` holds
// either kind, so a shell drives lone instances and groups alike.
