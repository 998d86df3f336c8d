"""Certificates of evidence rendered from evidence bundles."""
