"""Pages of the exchange: community and unit desks, listings, bookings, search and the facility
finder.
"""
