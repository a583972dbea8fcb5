"""Attachments (photos, PDFs) kept on records as evidence: storage, validation, policies."""
