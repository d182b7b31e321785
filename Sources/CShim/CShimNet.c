#define _GNU_SOURCE
#include "CShimNet.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <netinet/if_ether.h>
#include <linux/if_packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static int interface_ioctl(const char *ifname, unsigned long request, struct ifreq *ifr) {
    if (strlen(ifname) >= IFNAMSIZ) { errno = ENAMETOOLONG; return -1; }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    memset(ifr, 0, sizeof(*ifr));
    strncpy(ifr->ifr_name, ifname, IFNAMSIZ - 1);
    int result = ioctl(fd, request, ifr);
    int saved = errno;
    close(fd);
    errno = saved;
    return result;
}

int tandem_interface_hwaddr(const char *ifname, uint8_t mac[6]) {
    struct ifreq ifr;
    if (interface_ioctl(ifname, SIOCGIFHWADDR, &ifr) != 0) return -1;
    memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
    return 0;
}

int tandem_interface_flags(const char *ifname, unsigned int *flags) {
    struct ifreq ifr;
    if (interface_ioctl(ifname, SIOCGIFFLAGS, &ifr) != 0) return -1;
    *flags = (unsigned short)ifr.ifr_flags;
    return 0;
}

int tandem_interface_set_up(const char *ifname, int up) {
    if (strlen(ifname) >= IFNAMSIZ) { errno = ENAMETOOLONG; return -1; }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
    // Read, change one bit, write back on the same request: SIOCSIFFLAGS sets every flag, so the others must
    // stay what they were.
    int result = ioctl(fd, SIOCGIFFLAGS, &ifr);
    if (result == 0) {
        if (up) ifr.ifr_flags |= IFF_UP; else ifr.ifr_flags &= ~IFF_UP;
        result = ioctl(fd, SIOCSIFFLAGS, &ifr);
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return result;
}

int tandem_arp_socket(void) {
    return socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP));
}

int tandem_send_gratuitous_arp(int fd, int ifindex, const uint8_t mac[6], const uint8_t ip[4]) {
    struct ether_arp arp;
    memset(&arp, 0, sizeof(arp));
    arp.arp_hrd = htons(ARPHRD_ETHER);
    arp.arp_pro = htons(ETH_P_IP);
    arp.arp_hln = 6;
    arp.arp_pln = 4;
    arp.arp_op = htons(ARPOP_REQUEST);
    memcpy(arp.arp_sha, mac, 6);
    memcpy(arp.arp_spa, ip, 4);
    memset(arp.arp_tha, 0xff, 6);
    memcpy(arp.arp_tpa, ip, 4);

    struct sockaddr_ll to;
    memset(&to, 0, sizeof(to));
    to.sll_family = AF_PACKET;
    to.sll_protocol = htons(ETH_P_ARP);
    to.sll_ifindex = ifindex;
    to.sll_halen = 6;
    memset(to.sll_addr, 0xff, 6);
    ssize_t sent = sendto(fd, &arp, sizeof(arp), 0, (struct sockaddr *)&to, sizeof(to));
    return sent == (ssize_t)sizeof(arp) ? 0 : -1;
}

int tandem_bind_to_device(int fd, const char *ifname) {
    return setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname));
}

int tandem_ipv4_multicast(int fd, const uint8_t group[4], int ifindex, int join) {
    struct ip_mreqn request;
    memset(&request, 0, sizeof(request));
    memcpy(&request.imr_multiaddr, group, 4);
    request.imr_ifindex = ifindex;
    if (setsockopt(fd, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &request, sizeof(request)) != 0)
        return -1;
    if (join) {
        struct ip_mreqn outgoing;
        memset(&outgoing, 0, sizeof(outgoing));
        outgoing.imr_ifindex = ifindex;
        if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &outgoing, sizeof(outgoing)) != 0) return -1;
    }
    return 0;
}

#include <netinet/icmp6.h>
#include <netinet/ip6.h>

int tandem_ipv6_multicast(int fd, const uint8_t group[16], int ifindex, int join) {
    struct ipv6_mreq request;
    memset(&request, 0, sizeof(request));
    memcpy(&request.ipv6mr_multiaddr, group, 16);
    request.ipv6mr_interface = (unsigned)ifindex;
    if (setsockopt(fd, IPPROTO_IPV6, join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &request, sizeof(request)) != 0)
        return -1;
    if (join) {
        unsigned outgoing = (unsigned)ifindex;
        int on = 1;
        if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &outgoing, sizeof(outgoing)) != 0) return -1;
        if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on)) != 0) return -1;
        if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) != 0) return -1;
    }
    return 0;
}

long tandem_recv_ipv6(int fd, uint8_t *buffer, unsigned long length, uint8_t source[16], uint8_t destination[16],
                      int *hop_limit) {
    struct sockaddr_in6 from;
    char control[256];
    struct iovec iov = { buffer, length };
    struct msghdr message;
    memset(&message, 0, sizeof(message));
    message.msg_name = &from;
    message.msg_namelen = sizeof(from);
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    ssize_t received = recvmsg(fd, &message, 0);
    if (received < 0) return -1;
    memcpy(source, &from.sin6_addr, 16);
    memset(destination, 0, 16);
    *hop_limit = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&message); c != NULL; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level != IPPROTO_IPV6) continue;
        if (c->cmsg_type == IPV6_HOPLIMIT && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
            memcpy(hop_limit, CMSG_DATA(c), sizeof(int));
        } else if (c->cmsg_type == IPV6_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
            struct in6_pktinfo info;
            memcpy(&info, CMSG_DATA(c), sizeof(info));
            memcpy(destination, &info.ipi6_addr, 16);
        }
    }
    return (long)received;
}

int tandem_send_ipv6(int fd, const uint8_t *payload, unsigned long length, const uint8_t destination[16], int ifindex) {
    struct sockaddr_in6 to;
    memset(&to, 0, sizeof(to));
    to.sin6_family = AF_INET6;
    memcpy(&to.sin6_addr, destination, 16);
    if (IN6_IS_ADDR_LINKLOCAL(&to.sin6_addr) || IN6_IS_ADDR_MULTICAST(&to.sin6_addr)) to.sin6_scope_id = (uint32_t)ifindex;
    ssize_t sent = sendto(fd, payload, length, 0, (struct sockaddr *)&to, sizeof(to));
    return sent == (ssize_t)length ? 0 : -1;
}

int tandem_send_ipv6_from(int fd, const uint8_t *payload, unsigned long length, const uint8_t source[16],
                          const uint8_t destination[16], int ifindex) {
    struct sockaddr_in6 to;
    memset(&to, 0, sizeof(to));
    to.sin6_family = AF_INET6;
    memcpy(&to.sin6_addr, destination, 16);
    if (IN6_IS_ADDR_LINKLOCAL(&to.sin6_addr) || IN6_IS_ADDR_MULTICAST(&to.sin6_addr)) to.sin6_scope_id = (uint32_t)ifindex;
    struct iovec iov = { .iov_base = (void *)payload, .iov_len = length };
    char control[CMSG_SPACE(sizeof(struct in6_pktinfo))];
    memset(control, 0, sizeof(control));
    struct msghdr msg = { .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1,
                          .msg_control = control, .msg_controllen = sizeof(control) };
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = IPPROTO_IPV6;
    cmsg->cmsg_type = IPV6_PKTINFO;
    cmsg->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
    struct in6_pktinfo info;
    memset(&info, 0, sizeof(info));
    memcpy(&info.ipi6_addr, source, 16);
    info.ipi6_ifindex = (unsigned)ifindex;
    memcpy(CMSG_DATA(cmsg), &info, sizeof(info));
    ssize_t sent = sendmsg(fd, &msg, 0);
    return sent == (ssize_t)length ? 0 : -1;
}

int tandem_send_ipv4_from(int fd, const uint8_t *payload, unsigned long length, const uint8_t source[4],
                          const uint8_t destination[4]) {
    struct sockaddr_in to;
    memset(&to, 0, sizeof(to));
    to.sin_family = AF_INET;
    memcpy(&to.sin_addr, destination, 4);
    struct iovec iov = { .iov_base = (void *)payload, .iov_len = length };
    char control[CMSG_SPACE(sizeof(struct in_pktinfo))];
    memset(control, 0, sizeof(control));
    struct msghdr msg = { .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1,
                          .msg_control = control, .msg_controllen = sizeof(control) };
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = IPPROTO_IP;
    cmsg->cmsg_type = IP_PKTINFO;
    cmsg->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
    struct in_pktinfo info;
    memset(&info, 0, sizeof(info));
    memcpy(&info.ipi_spec_dst, source, 4);
    memcpy(CMSG_DATA(cmsg), &info, sizeof(info));
    ssize_t sent = sendmsg(fd, &msg, 0);
    return sent == (ssize_t)length ? 0 : -1;
}

int tandem_na_socket(void) {
    int fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
    if (fd < 0) return -1;
    int hops = 255;
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) != 0 ||
        setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) != 0) {
        int saved = errno; close(fd); errno = saved; return -1;
    }
    return fd;
}

int tandem_send_unsolicited_na(int fd, int ifindex, const uint8_t mac[6], const uint8_t target[16]) {
    struct {
        struct nd_neighbor_advert advert;
        struct nd_opt_hdr option;
        uint8_t address[6];
    } __attribute__((packed)) packet;
    memset(&packet, 0, sizeof(packet));
    packet.advert.nd_na_type = ND_NEIGHBOR_ADVERT;
    packet.advert.nd_na_flags_reserved = ND_NA_FLAG_OVERRIDE;
    memcpy(&packet.advert.nd_na_target, target, 16);
    packet.option.nd_opt_type = ND_OPT_TARGET_LINKADDR;
    packet.option.nd_opt_len = 1;
    memcpy(packet.address, mac, 6);
    unsigned outgoing = (unsigned)ifindex;
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &outgoing, sizeof(outgoing)) != 0) return -1;
    static const uint8_t all_nodes[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
    return tandem_send_ipv6(fd, (const uint8_t *)&packet, sizeof(packet), all_nodes, ifindex);
}
