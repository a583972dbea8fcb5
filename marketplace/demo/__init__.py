"""The fictional demo county."""
