"""Format readers: each turns one vendor export shape into canonical conversations."""
