// Starts the built server in-process for profiling: node --cpu-prof dist-less via ts-node is slow; use dist.
