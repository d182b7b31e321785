// The VRRP module.
