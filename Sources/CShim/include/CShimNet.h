#ifndef TANDEM_CSHIM_NET_H
#define TANDEM_CSHIM_NET_H
#include <stdint.h>

/// The hardware (MAC) address of an interface; 0 on success, -1 with errno otherwise.
int tandem_interface_hwaddr(const char *ifname, uint8_t mac[6]);

/// The IFF_* flags of an interface (SIOCGIFFLAGS); 0 on success, -1 with errno otherwise.
int tandem_interface_flags(const char *ifname, unsigned int *flags);

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
