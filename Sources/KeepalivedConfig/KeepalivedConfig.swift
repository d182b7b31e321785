// The KeepalivedConfig module.
