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
