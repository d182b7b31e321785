"""The lab's addressing plan (briefs' LAB-PLAN): documentation ranges only, seed 000's last octets."""

PUB_PREFIX = 24   # 192.0.2.0/24, the public LAN "pub" (eth0 in the VMs)
INT_PREFIX = 24   # 198.51.100.0/24, the internal LAN "int" (eth1 in the VMs)

LBS = {
    "lb01": {"pub": "192.0.2.54", "int": "198.51.100.121", "macs": ("52:54:00:0b:01:54", "52:54:00:0b:01:21")},
    "lb02": {"pub": "192.0.2.64", "int": "198.51.100.122", "macs": ("52:54:00:0b:02:64", "52:54:00:0b:02:22")},
}
WEBS = {
    "web01": {"pub": "192.0.2.72", "int": "198.51.100.123",
              "pages": {80: "this is web01 index.html", 81: "this is server1 web01 index.html"}},
    "web02": {"pub": "192.0.2.80", "int": "198.51.100.124",
              "pages": {80: "this is web02 index.html", 82: "this is server82 web02 index.html"}},
}
CLIENT = {"pub": "192.0.2.200"}

# Every VIP a DR real server carries on lo (seeds 000 and 004; the ecmp scenario's two, announced over BGP).
DR_VIPS = ["192.0.2.93", "192.0.2.94", "192.0.2.118", "203.0.113.100", "203.0.113.101"]
NAT_GATEWAY_VIP = "198.51.100.129"

ALLOWED_PREFIXES = ("192.0.2.", "198.51.100.", "203.0.113.")


def sorry_page(lb):
    """What the sorry server on an LB answers (seed 004)."""
    return f"sorry_server-{lb}"
