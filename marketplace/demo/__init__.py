"""The fictional demo county (DESIGN §8)."""
