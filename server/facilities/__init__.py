"""Safety facilities (bells, CCTV, security lights, safe houses, police) and
the administrative areas (구/동) they lie in."""
