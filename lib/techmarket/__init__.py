"""Guangdong technology market (广东技术市场) reproducible package."""
