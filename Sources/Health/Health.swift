// The Health module: check scheduling and the checkers.
