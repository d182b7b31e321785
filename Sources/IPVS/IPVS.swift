// The IPVS module.
