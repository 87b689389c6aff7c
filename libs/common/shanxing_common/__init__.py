"""Plumbing shared by the Shanxing services. Holds no domain rule."""
