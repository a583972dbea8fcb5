"""Pairing plans: scores from the database, runs of the optimizer, review, publication and
reports.
"""
