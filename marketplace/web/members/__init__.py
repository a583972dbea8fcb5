"""Pages of in-service party members, the community's members desk, unit registration and
reviewers' rates.
"""
