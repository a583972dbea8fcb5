"""Needs, offers, claims and bookings: the exchange between communities and units, and the
public look-ups over it.
"""
