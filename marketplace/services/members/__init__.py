"""In-service party members (双报到): reports, posts, teams, service records, activities, the
checklist and points.
"""
