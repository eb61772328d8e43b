"""Facilities: importing public data and the 구/동 areas."""
