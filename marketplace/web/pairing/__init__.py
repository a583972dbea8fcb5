"""Pages of pairing: the reviewers' plans, communities' preferences, published pairs, the
county map.
"""
