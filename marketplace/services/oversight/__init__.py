"""Oversight: pair activities and compliance, joint meetings, escalations, coverage and the
annual assessment.
"""
