#ifndef TANDEM_CSHIM_NET_H
#define TANDEM_CSHIM_NET_H
#include <stdint.h>

/// The hardware (MAC) address of an interface; 0 on success, -1 with errno otherwise.
int tandem_interface_hwaddr(const char *ifname, uint8_t mac[6]);

/// The IFF_* flags of an interface (SIOCGIFFLAGS); 0 on success, -1 with errno otherwise.
int tandem_interface_flags(const char *ifname, unsigned int *flags);

/// Sets (up != 0) or clears IFF_UP on an interface (SIOCSIFFLAGS, needs CAP_NET_ADMIN); 0 or -1 with errno.
int tandem_interface_set_up(const char *ifname, int up);

/// Opens the AF_PACKET socket gratuitous ARPs are sent on (needs CAP_NET_RAW); the fd or -1 with errno.
int tandem_arp_socket(void);

/// Broadcasts one gratuitous ARP request for `ip` from `mac` out of interface `ifindex` on `fd`
/// (sender and target protocol address both `ip`, as RFC 5227 announcements and keepalived do).
/// 0 on success, -1 with errno otherwise.
int tandem_send_gratuitous_arp(int fd, int ifindex, const uint8_t mac[6], const uint8_t ip[4]);

/// Sets the interface a socket sends and receives on (SO_BINDTODEVICE); 0 or -1 with errno.
int tandem_bind_to_device(int fd, const char *ifname);

/// Joins (join != 0) or leaves the IPv4 multicast group `group` on interface `ifindex`,
/// and makes it the outgoing interface for multicast. 0 or -1 with errno.
int tandem_ipv4_multicast(int fd, const uint8_t group[4], int ifindex, int join);

#endif

#ifndef TANDEM_CSHIM_NET6
#define TANDEM_CSHIM_NET6
/// Joins (join != 0) or leaves the IPv6 multicast group on `ifindex`, makes `ifindex` the outgoing multicast
/// interface and asks for each packet's hop limit and destination (IPV6_RECVHOPLIMIT, IPV6_RECVPKTINFO).
int tandem_ipv6_multicast(int fd, const uint8_t group[16], int ifindex, int join);

/// Receives one IPv6 datagram's payload, with its source, destination and hop limit (-1 if unknown).
/// Returns the payload length, or -1 with errno.
long tandem_recv_ipv6(int fd, uint8_t *buffer, unsigned long length, uint8_t source[16], uint8_t destination[16],
                      int *hop_limit);

/// Sends a payload to `destination` (link-scoped on `ifindex` when link-local or multicast). 0 or -1 with errno.
int tandem_send_ipv6(int fd, const uint8_t *payload, unsigned long length, const uint8_t destination[16], int ifindex);

/// Sends a payload from `source` (IPV6_PKTINFO) to `destination`, link-scoped on `ifindex` as
/// tandem_send_ipv6 does. 0 or -1 with errno.
int tandem_send_ipv6_from(int fd, const uint8_t *payload, unsigned long length, const uint8_t source[16],
                          const uint8_t destination[16], int ifindex);

/// Sends a payload on a raw IPv4 socket from `source` (IP_PKTINFO's ipi_spec_dst) to `destination`.
/// 0 or -1 with errno.
int tandem_send_ipv4_from(int fd, const uint8_t *payload, unsigned long length, const uint8_t source[4],
                          const uint8_t destination[4]);

/// Opens the ICMPv6 socket unsolicited neighbour advertisements go out on (hop limit 255); fd or -1.
int tandem_na_socket(void);

/// Sends one unsolicited neighbour advertisement (override flag, target link-layer address option) for
/// `target` from `mac` to all nodes (ff02::1) on `ifindex`. 0 or -1 with errno.
int tandem_send_unsolicited_na(int fd, int ifindex, const uint8_t mac[6], const uint8_t target[16]);
#endif
