// The Wire module.
