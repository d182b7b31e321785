// The Platform module.
